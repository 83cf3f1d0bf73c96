using System.Security.Cryptography;
using System.Text;

namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// The 32-byte private-network key (libp2p PSK v1). Why a type rather than a byte array: it keeps the
/// secret out of logs (only <see cref="Fingerprint"/> is ever printed) and owns the file/passphrase formats.
/// </summary>
public sealed class PreSharedKey
{
    public const int Size = 32;

    private const string Header = "/key/swarm/psk/1.0.0/";
    private const string Base16Encoding = "/base16/";
    private const string Base64Encoding = "/base64/";
    private const string BinaryEncoding = "/bin/";

    private readonly byte[] _key;

    private PreSharedKey(byte[] key)
    {
        _key = key;
        Fingerprint = ComputeFingerprint(key);
    }

    /// <summary>
    /// A short, non-secret identifier (8 hex chars of a domain-separated SHA-256 of the key) so logs can
    /// tell keys apart without revealing them.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The raw key, for the cipher only.</summary>
    internal ReadOnlySpan<byte> Key => _key;

    /// <summary>Uses 32 raw key bytes (what go's <c>libp2p.PrivateNetwork</c> takes).</summary>
    public static PreSharedKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != Size)
        {
            throw new ArgumentException($"A pre-shared key is {Size} bytes, got {key.Length}.", nameof(key));
        }

        return new PreSharedKey(key.ToArray());
    }

    /// <summary>
    /// PhysarumSM's passphrase rule: key = SHA3-256(UTF-8 passphrase). An empty passphrase is rejected:
    /// "no passphrase" means "configure no private network", never "some key".
    /// </summary>
    public static PreSharedKey FromPassphrase(string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        if (passphrase.Length == 0)
        {
            throw new ArgumentException("The passphrase is empty; leave the pre-shared key unset instead.", nameof(passphrase));
        }

        return new PreSharedKey(SHA3_256.HashData(Encoding.UTF8.GetBytes(passphrase)));
    }

    /// <summary>
    /// Parses a PSK v1 key file (<c>swarm.key</c>): the header line, an encoding line
    /// (<c>/base16/</c>, <c>/base64/</c> or <c>/bin/</c>) and the key; LF or CRLF line ends.
    /// </summary>
    /// <exception cref="FormatException">The file is not a valid PSK v1 key file; the message says why.</exception>
    public static PreSharedKey FromKeyFile(ReadOnlySpan<byte> fileBytes)
    {
        var rest = fileBytes;
        if (!TryReadLine(ref rest, out var header))
        {
            throw new FormatException("PSK key file is empty or has no line break after the header line.");
        }

        if (!header.SequenceEqual(Encoding.ASCII.GetBytes(Header)))
        {
            throw new FormatException($"PSK key file must start with the line '{Header}'.");
        }

        if (!TryReadLine(ref rest, out var encodingLine))
        {
            throw new FormatException("PSK key file has no encoding line (/base16/, /base64/ or /bin/) ended by a line break.");
        }

        var encoding = Encoding.ASCII.GetString(encodingLine);
        return encoding switch
        {
            Base16Encoding => new PreSharedKey(DecodeBase16(TextKeyLine(rest))),
            Base64Encoding => new PreSharedKey(DecodeBase64(TextKeyLine(rest))),
            BinaryEncoding => new PreSharedKey(DecodeBinary(rest)),
            _ => throw new FormatException($"PSK key file encoding '{Printable(encoding)}' is not supported; expected /base16/, /base64/ or /bin/."),
        };
    }

    /// <summary>The key file text with a lowercase hex key and no trailing newline (what js-libp2p's generator writes and reads).</summary>
    public string ToKeyFileText() => $"{Header}\n{Base16Encoding}\n{Convert.ToHexStringLower(_key)}";

    /// <summary>Never the key itself.</summary>
    public override string ToString() => $"PreSharedKey({Fingerprint})";

    private static string ComputeFingerprint(byte[] key)
    {
        // Domain-separated so the fingerprint is not a hash anyone else publishes for the same key.
        var input = new byte[24 + key.Length];
        Encoding.ASCII.GetBytes("physarum-psk-fingerprint").CopyTo(input, 0);
        key.CopyTo(input, 24);
        var digest = SHA256.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        return Convert.ToHexStringLower(digest.AsSpan(0, 4));
    }

    /// <summary>Takes the next line without its LF or CRLF; false when no LF follows.</summary>
    private static bool TryReadLine(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            line = default;
            return false;
        }

        line = rest[..lf];
        rest = rest[(lf + 1)..];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return true;
    }

    /// <summary>The key line of a text encoding; only line breaks may follow it.</summary>
    private static ReadOnlySpan<byte> TextKeyLine(ReadOnlySpan<byte> rest)
    {
        var lf = rest.IndexOf((byte)'\n');
        var line = lf < 0 ? rest : rest[..lf];
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            throw new FormatException("PSK key file has no key on its third line.");
        }

        if (lf >= 0 && rest[(lf + 1)..].IndexOfAnyExcept((byte)'\r', (byte)'\n') >= 0)
        {
            throw new FormatException("PSK key file has unexpected content after the key line.");
        }

        return line;
    }

    private static byte[] DecodeBase16(ReadOnlySpan<byte> line)
    {
        if (line.Length != 2 * Size)
        {
            throw new FormatException($"PSK key file /base16/ key must be {2 * Size} hex characters, got {line.Length}.");
        }

        var key = new byte[Size];
        if (Convert.FromHexString(Encoding.ASCII.GetString(line), key, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw new FormatException("PSK key file /base16/ key contains a character that is not a hex digit.");
        }

        return key;
    }

    private static byte[] DecodeBase64(ReadOnlySpan<byte> line)
    {
        var key = new byte[Size + 3]; // room to notice a key that decodes longer than 32 bytes
        if (!Convert.TryFromBase64String(Encoding.ASCII.GetString(line), key, out var written))
        {
            throw new FormatException("PSK key file /base64/ key is not valid base64 (standard alphabet) or decodes to more than 32 bytes.");
        }

        if (written != Size)
        {
            throw new FormatException($"PSK key file /base64/ key must decode to {Size} bytes, got {written}.");
        }

        return key[..Size];
    }

    private static byte[] DecodeBinary(ReadOnlySpan<byte> rest)
    {
        // Raw bytes may contain CR or LF, so the key is the next 32 bytes, not a line.
        if (rest.Length < Size)
        {
            throw new FormatException($"PSK key file /bin/ key must be {Size} bytes, got {rest.Length}.");
        }

        var trailer = rest[Size..];
        if (!trailer.IsEmpty && !trailer.SequenceEqual("\n"u8) && !trailer.SequenceEqual("\r\n"u8))
        {
            throw new FormatException($"PSK key file /bin/ key must be exactly {Size} bytes (optionally followed by one line break), got {rest.Length}.");
        }

        return rest[..Size].ToArray();
    }

    private static string Printable(string s) =>
        s.Length > 40 || s.Any(char.IsControl) ? "(unprintable or too long)" : s;
}
