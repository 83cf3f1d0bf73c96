namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// Persists the node identity as raw libp2p PrivateKey protobuf bytes (the go-libp2p on-disk form).
/// Why: a stable peer ID across restarts, and files interchangeable with go tooling.
/// </summary>
public static class KeyFile
{
    // An RSA-8192 PrivateKey protobuf is about 4.7 KB; anything far beyond is not a key file.
    private const int MaxFileLength = 64 * 1024;

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary><c>~/.physarum/identity.key</c>.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".physarum", "identity.key");

    /// <summary>
    /// Loads the key at <paramref name="path"/>, or creates it (mode 0600, written atomically) if the file
    /// does not exist. An existing file that cannot be used is never overwritten.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but is not a usable Ed25519 identity.</exception>
    public static IdentityKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath))
        {
            return Load(fullPath);
        }
        var key = IdentityKey.Generate();
        try
        {
            if (TryCreate(fullPath, key))
            {
                return key;
            }
        }
        catch
        {
            key.Dispose();
            throw;
        }
        // Another process created the file first: use theirs so both agree on one identity.
        key.Dispose();
        return Load(fullPath);
    }

    /// <summary>Loads an existing key file.</summary>
    /// <exception cref="InvalidDataException">The file is not a usable Ed25519 identity.</exception>
    public static IdentityKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var length = new FileInfo(path).Length;
        if (length > MaxFileLength)
        {
            throw new InvalidDataException(
                $"identity key file '{path}' is {length} bytes, far larger than any libp2p key. Check the path, or move the file away to create a new identity.");
        }
        var bytes = File.ReadAllBytes(path);
        try
        {
            return IdentityKey.FromProtobuf(bytes);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException(
                $"identity key file '{path}' is unusable: {e.Message}. It must hold a libp2p Ed25519 PrivateKey protobuf " +
                "(as go-libp2p writes). Restore the right file, or move this one away to create a new identity (the peer ID will change).", e);
        }
    }

    /// <summary>Writes to a private temp file, then links it into place without replacing anything.</summary>
    private static bool TryCreate(string fullPath, IdentityKey key)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
        var tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }
        var bytes = key.ToProtobuf();
        try
        {
            using (var stream = new FileStream(tempPath, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(tempPath, fullPath, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(fullPath))
            {
                return false;
            }
        }
        finally
        {
            Array.Clear(bytes);
            if (File.Exists(tempPath))
            {
                File.Delete(tempPath);
            }
        }
    }
}
