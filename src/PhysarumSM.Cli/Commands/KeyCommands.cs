using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Pnet;

namespace PhysarumSM.Cli.Commands;

/// <summary>
/// `physarum keygen` and `physarum psk`: the two secrets a mesh needs, made before any node starts. Why offline
/// commands: a deploy writes bootstrap addresses (which end in a peer ID) and the PSK into its config up front.
/// Both print only the value on stdout, so <c>ID=$(physarum keygen a.key)</c> works; what they did goes to stderr.
/// </summary>
internal static class KeyCommands
{
    // 32 random bytes: the passphrase carries the full 256 bits of the key it hashes to.
    private const int PassphraseBytes = 32;

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static Command Keygen()
    {
        var path = new Argument<string>("PATH")
        {
            Description = "the identity key file (default ~/.physarum/identity.key, as physarum-node -keyfile)",
            DefaultValueFactory = _ => KeyFile.DefaultPath,
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("keygen", "Create a node identity key file (or read an existing one) and print its peer ID") { path };
        command.SetAction(parse =>
        {
            var file = Path.GetFullPath(parse.GetValue(path)!);
            var existed = File.Exists(file);
            try
            {
                // LoadOrCreate never overwrites: an existing identity is read, so a repeated keygen cannot lose a node's peer ID.
                using var key = KeyFile.LoadOrCreate(file);
                Console.WriteLine(key.PeerId);
                Console.Error.WriteLine(existed
                    ? $"{file} already holds an identity; kept it (move it away to make a new one)"
                    : $"created {file}; start the node with -keyfile {file}, and bootstrap to it at /ip4/<its address>/tcp/4001/p2p/{key.PeerId}");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"physarum: keygen: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    public static Command Psk(GlobalOptions global)
    {
        var swarmKey = new Option<string?>("--swarm-key")
        {
            Description = "also write the network key as a PSK v1 swarm.key file (for go-/js-libp2p peers); never overwrites",
        };
        var command = new Command("psk", "Make a new private-network passphrase (or use --psk's) and print it; --swarm-key writes the key file form") { swarmKey };
        command.SetAction(parse =>
        {
            // Only an explicit --psk is reused: a P2P_PSK left in the environment must not silently stand in for a new secret.
            var given = parse.GetValue(global.Psk);
            var passphrase = string.IsNullOrEmpty(given) ? NewPassphrase() : given;
            var key = PreSharedKey.FromPassphrase(passphrase);
            if (parse.GetValue(swarmKey) is { } file)
            {
                try
                {
                    WriteNew(Path.GetFullPath(file), key.ToKeyFileText() + "\n");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"physarum: psk: cannot write {file}: {ex.Message}");
                    return 1;
                }

                Console.Error.WriteLine($"wrote {Path.GetFullPath(file)} (key fingerprint {key.Fingerprint})");
            }

            if (string.IsNullOrEmpty(given))
            {
                Console.WriteLine(passphrase);
                Console.Error.WriteLine($"a new passphrase (key fingerprint {key.Fingerprint}): give it to every node (-psk or P2P_PSK) and to the CLI (--psk)");
            }

            return 0;
        });
        return command;
    }

    private static string NewPassphrase() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(PassphraseBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');   // shell-safe

    /// <summary>Creates <paramref name="path"/> readable by its owner only; an existing file is an error, never replaced.</summary>
    private static void WriteNew(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        if (File.Exists(path))
        {
            throw new IOException($"the file exists (a key file is never overwritten: move it away, or choose another path)");
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(text));
    }
}
