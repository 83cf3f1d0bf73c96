using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node;

/// <summary>
/// The original's command-line contract (`-flag` and `--flag`, env fallbacks P2P_BOOTSTRAPS / P2P_PSK).
/// Why hand-parsed: Go's flag syntax (single dash, long names) is the user contract.
/// </summary>
internal sealed record NodeFlags(
    IReadOnlyList<Multiaddr> Bootstraps,
    string? Psk,
    string P2pListenAddress,
    string KeyFile,
    bool Ephemeral,
    bool Debug)
{
    public const string Usage = """
        Usage: physarum-node [flags]
          -bootstrap MULTIADDR     bootstrap peer (repeatable; env P2P_BOOTSTRAPS, space separated)
          -psk PASSPHRASE          private-network passphrase (env P2P_PSK)
          -p2p-listen-addr ADDR    libp2p listen address, HOST:PORT or multiaddr (default :4001)
          -keyfile PATH            identity key file (default ~/.physarum/identity.key)
          -ephemeral               use a fresh identity, do not read or write the key file
          -debug                   verbose logging
          -h                       this help
        """;

    /// <summary>Parses flags; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static NodeFlags Parse(string[] args, Func<string, string?> environment)
    {
        var bootstraps = new List<Multiaddr>();
        string? psk = null;
        var listen = ":4001";
        var keyFile = Libp2p.Crypto.KeyFile.DefaultPath;
        bool ephemeral = false, debug = false;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = Split(args[i]);
            string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"flag -{name} needs a value"));
            switch (name)
            {
                case "bootstrap":
                    bootstraps.Add(ParseBootstrap(Value()));
                    break;
                case "psk":
                    psk = Value();
                    break;
                case "p2p-listen-addr":
                    listen = Value();
                    break;
                case "keyfile":
                    keyFile = Value();
                    break;
                case "ephemeral":
                    ephemeral = inline is null || bool.Parse(inline);
                    break;
                case "debug":
                    debug = inline is null || bool.Parse(inline);
                    break;
                case "h" or "help":
                    throw new HelpRequestedException();
                default:
                    throw new ArgumentException($"unknown flag '{args[i]}' (run with -h for the list)");
            }
        }

        if (bootstraps.Count == 0 && environment("P2P_BOOTSTRAPS") is { Length: > 0 } envBootstraps)
        {
            bootstraps.AddRange(envBootstraps.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseBootstrap));
        }

        psk ??= environment("P2P_PSK") is { Length: > 0 } envPsk ? envPsk : null;
        return new NodeFlags(bootstraps, psk, listen, keyFile, ephemeral, debug);
    }

    /// <summary>Turns ":4001", "0.0.0.0:4001", "[::]:4001" or a multiaddr into a listen multiaddr.</summary>
    public static Multiaddr ToListenMultiaddr(string address)
    {
        if (address.StartsWith('/'))
        {
            return Multiaddr.Parse(address);
        }

        var colon = address.LastIndexOf(':');
        if (colon < 0 || !ushort.TryParse(address[(colon + 1)..], out var port))
        {
            throw new ArgumentException($"listen address '{address}' must be HOST:PORT, :PORT or a multiaddr");
        }

        var host = address[..colon].Trim('[', ']');
        if (host.Length == 0)
        {
            host = "0.0.0.0";
        }

        return Multiaddr.Parse(host.Contains(':') ? $"/ip6/{host}/tcp/{port}" : $"/ip4/{host}/tcp/{port}");
    }

    private static Multiaddr ParseBootstrap(string text)
    {
        if (!Multiaddr.TryParse(text, out var address) || address!.PeerId is null)
        {
            throw new ArgumentException($"bootstrap '{text}' must be a full multiaddr ending in /p2p/<peer id>, e.g. /ip4/10.0.0.1/tcp/4001/p2p/12D3KooW...");
        }

        return address;
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        if (!arg.StartsWith('-'))
        {
            throw new ArgumentException($"unexpected argument '{arg}' (flags start with -, run with -h for the list)");
        }

        var name = arg.TrimStart('-');
        var equals = name.IndexOf('=');
        return equals < 0 ? (name, null) : (name[..equals], name[(equals + 1)..]);
    }
}

/// <summary>-h was given: print usage and exit 0.</summary>
internal sealed class HelpRequestedException : Exception;
