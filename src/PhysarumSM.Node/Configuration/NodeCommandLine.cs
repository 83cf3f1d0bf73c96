using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Configuration;

/// <summary>
/// The original's command-line contract: Go-style flags (`-flag value`, `-flag=value`, `--flag` too) and
/// the env fallbacks P2P_BOOTSTRAPS / P2P_PSK. Why table-driven: each later role adds its flags in one line.
/// </summary>
public static class NodeCommandLine
{
    private sealed record Flag(string Name, string Value, string Help, Action<NodeOptions, string> Apply, bool IsSwitch = false);

    private static readonly Flag[] Flags =
    [
        new("bootstrap", "MULTIADDR", "bootstrap peer, repeatable (env P2P_BOOTSTRAPS, space separated)", (o, v) => o.Bootstraps.Add(ParseBootstrap(v, "-bootstrap"))),
        new("psk", "PASSPHRASE", "private-network passphrase (env P2P_PSK)", (o, v) => o.Psk = v),
        new("p2p-listen-addr", "ADDR", "libp2p listen address, [HOST]:PORT or multiaddr (default :4001)", (o, v) => o.P2pListenAddress = v),
        new("prom-listen-addr", "ADDR", "Prometheus /metrics address, [HOST]:PORT (default :9100)", (o, v) => o.PromListenAddress = v),
        new("proxy-listen-addr", "ADDR", "HTTP gateway address for /{service}/{path}, [HOST]:PORT (default 127.0.0.1:4200)", (o, v) => o.ProxyListenAddress = v),
        new("admin-listen-addr", "ADDR", "dashboard and admin API /api/, [HOST]:PORT or off (default 127.0.0.1:8080)", (o, v) => o.AdminListenAddress = v),
        new("admin-token", "TOKEN", "bearer token for the admin API's actions (env PHYSARUM_ADMIN_TOKEN; default: actions refused)", (o, v) => o.AdminToken = v),
        new("cold-start-timeout", "DURATION", "how long a gateway request waits for a cold start before 504 (default 30s)", (o, v) => o.ColdStartTimeout = ParseDuration(v, "-cold-start-timeout")),
        new("hostname", "NAME", "this node's label in metrics (default: machine name)", (o, v) => o.Hostname = v),
        new("keyfile", "PATH", "identity key file, created on first start (default ~/.physarum/identity.key)", (o, v) => o.KeyFile = v),
        new("ephemeral", "", "use a fresh identity; do not read or write the key file", (o, _) => o.Ephemeral = true, IsSwitch: true),
        new("debug", "", "verbose logging", (o, _) => o.Debug = true, IsSwitch: true),
        new("redis", "HOST:PORT", "Orleans membership in Redis, for nodes on many machines; may end with ,password=... (env PHYSARUM_REDIS; default: localhost clustering)", (o, v) => o.Redis = v),
        new("advertise-ip", "IP", "with -redis: the address other machines reach this node's silo at (default: the first non-loopback IPv4)", (o, v) => o.AdvertiseIp = v),
        new("silo-port", "PORT", "Orleans silo-to-silo port (default 11111)", (o, v) => o.SiloPort = ParsePort(v, "-silo-port")),
        new("gateway-port", "PORT", "Orleans client gateway port (default 30000)", (o, v) => o.GatewayPort = ParsePort(v, "-gateway-port")),
        new("data-dir", "DIR", "this node's data directory (default ~/.physarum/data)", (o, v) => o.DataDirectory = v),
        new("new-etcd-cluster", "", "registry role: start a new etcd cluster with this node's member (needs -etcd-ip)", (o, _) => o.NewEtcdCluster = true, IsSwitch: true),
        new("etcd-ip", "IP", "registry role: the address this node's etcd member uses; without -new-etcd-cluster it joins the registry of a bootstrap", (o, v) => o.EtcdIp = v),
        new("etcd-client-port", "PORT", "etcd client port (default 2379)", (o, v) => o.EtcdClientPort = ParsePort(v, "-etcd-client-port")),
        new("etcd-peer-port", "PORT", "etcd peer port (default 2380)", (o, v) => o.EtcdPeerPort = ParsePort(v, "-etcd-peer-port")),
        new("etcd-endpoints", "URL,...", "use an etcd that is already running instead of starting one", (o, v) => o.EtcdEndpoints = v),
        new("idle-timeout", "DURATION", "cull an instance after this long without requests, e.g. 60s, 5m (default 60s)", (o, v) => o.IdleTimeout = ParseDuration(v, "-idle-timeout")),
        new("warm-pool-ttl", "DURATION", "keep a culled instance's container paused this long for reuse; 0 disables (default 5m)", (o, v) => o.WarmPoolTtl = v is "0" ? TimeSpan.Zero : ParseDuration(v, "-warm-pool-ttl")),
        new("no-allocator", "", "do not run service instances on this node", (o, _) => o.NoAllocator = true, IsSwitch: true),
        new("max-instances", "N", "run at most N service instances here, warm-pool containers included (default 32)", (o, v) => o.MaxInstances = ParsePositive(v, "-max-instances")),
        new("cpus", "CORES", "CPU cores offered to instances (CpuReq counts against it; default: every core)", (o, v) => o.Cpus = ParsePositiveNumber(v, "-cpus")),
        new("memory", "MIB", "memory offered to instances in MiB (MemoryReq counts against it; default: the machine's)", (o, v) => o.MemoryMiB = ParsePositive(v, "-memory")),
        new("primary-silo", "HOST:PORT", "silo endpoint of the first node on this machine, for localhost clustering (default 127.0.0.1:11111)", (o, v) => o.PrimarySilo = v),
        new("cluster-cert", "PATH", "PKCS#12 (.pfx) cluster certificate with its key: Orleans silo and client connections use mutual TLS (default: plaintext)", (o, v) => o.ClusterCertificate = v),
        new("cluster-cert-password", "PASSWORD", "password of the -cluster-cert file (env PHYSARUM_CLUSTER_CERT_PASSWORD)", (o, v) => o.ClusterCertificatePassword = v),
    ];

    /// <summary>The <c>-admin-listen-addr</c> value that turns the dashboard and admin API off.</summary>
    public const string AdminListenOff = "off";

    /// <summary>Usage text listing every flag.</summary>
    public static string Usage =>
        "Usage: physarum-node [flags]\n" + string.Join('\n', Flags.Select(f => $"  -{(f.Name + " " + f.Value).PadRight(28)} {f.Help}")) +
        "\n  -h                           this help";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static NodeOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new NodeOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg is "-" or "--")
            {
                throw new ArgumentException($"unexpected argument '{arg}': flags start with '-' (run with -h for the list)");
            }

            var name = arg.TrimStart('-');
            string? inline = null;
            if (name.IndexOf('=') is var eq and >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (name is "h" or "help")
            {
                throw new HelpRequestedException();
            }

            var flag = Flags.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"unknown flag '{arg}' (run with -h for the list)");
            if (flag.IsSwitch)
            {
                if (inline is not null && !bool.TryParse(inline, out _))
                {
                    throw new ArgumentException($"flag -{name} takes no value or =true/=false, not '{inline}'");
                }

                if (inline is null || bool.Parse(inline))
                {
                    flag.Apply(options, "true");
                }

                continue;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"flag -{name} needs a value: -{name} {flag.Value}"));
            flag.Apply(options, value);
        }

        if (options.Bootstraps.Count == 0 && environment("P2P_BOOTSTRAPS") is { Length: > 0 } bootstraps)
        {
            foreach (var text in bootstraps.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                options.Bootstraps.Add(ParseBootstrap(text, "P2P_BOOTSTRAPS"));
            }
        }

        options.Psk ??= environment("P2P_PSK") is { Length: > 0 } psk ? psk : null;
        options.AdminToken ??= environment("PHYSARUM_ADMIN_TOKEN") is { Length: > 0 } token ? token : null;
        // Why an env fallback: a Redis password in the flag would show in ps.
        options.Redis ??= environment("PHYSARUM_REDIS") is { Length: > 0 } redis ? redis : null;
        if (options.AdminToken is "")
        {
            throw new ArgumentException("-admin-token must not be empty (leave it out to refuse admin actions)");
        }

        if (options.ClusterCertificate is "")
        {
            throw new ArgumentException("-cluster-cert must not be empty (leave it out for plaintext Orleans connections)");
        }

        // The flag without a certificate is a mistake worth stopping for; the env variable may be set machine-wide.
        if (options.ClusterCertificatePassword is not null && options.ClusterCertificate is null)
        {
            throw new ArgumentException("-cluster-cert-password needs -cluster-cert PATH (the .pfx file it opens)");
        }

        if (options.ClusterCertificate is not null)
        {
            options.ClusterCertificatePassword ??= environment("PHYSARUM_CLUSTER_CERT_PASSWORD") is { Length: > 0 } password ? password : null;
        }

        if (!options.AdminListenAddress.Equals(AdminListenOff, StringComparison.OrdinalIgnoreCase))
        {
            _ = SplitHostPort(options.AdminListenAddress, "-admin-listen-addr");
        }

        return options;
    }

    /// <summary>Turns ":4001", "0.0.0.0:4001", "[::]:4001" or a multiaddr into a TCP listen multiaddr.</summary>
    public static Multiaddr ToListenMultiaddr(string address, string flag)
    {
        if (address.StartsWith('/'))
        {
            return Multiaddr.TryParse(address, out var parsed) ? parsed! : throw new ArgumentException($"{flag} '{address}' is not a valid multiaddr");
        }

        var (host, port) = SplitHostPort(address, flag);
        return Multiaddr.Parse(host.Contains(':') ? $"/ip6/{host}/tcp/{port}" : $"/ip4/{host}/tcp/{port}");
    }

    /// <summary>Splits "[HOST]:PORT" (HOST defaults to all interfaces).</summary>
    public static (string Host, int Port) SplitHostPort(string address, string flag)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new ArgumentException($"{flag} '{address}' must be HOST:PORT or :PORT (port 0-65535)");
        }

        var host = address[..colon].Trim('[', ']');
        return (host.Length == 0 ? "0.0.0.0" : host, port);
    }

    /// <summary>Go-style durations as the original took them: 90s, 5m, 1h, 250ms, or plain seconds.</summary>
    private static TimeSpan ParseDuration(string value, string flag)
    {
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : value.EndsWith('h') ? (value[..^1], 3600.0)
            : (value, 1.0);
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount) && amount > 0
            ? TimeSpan.FromSeconds(amount * unit)
            : throw new ArgumentException($"{flag} '{value}' is not a positive duration such as 60s, 5m or 1h");
    }

    private static int ParsePositive(string value, string flag) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{flag} '{value}' is not a positive whole number");

    private static double ParsePositiveNumber(string value, string flag) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n)
            ? n : throw new ArgumentException($"{flag} '{value}' is not a positive number such as 1.5");

    private static int ParsePort(string value, string flag) =>
        int.TryParse(value, out var port) && port is > 0 and <= 65535 ? port : throw new ArgumentException($"{flag} '{value}' is not a port (1-65535)");

    private static Multiaddr ParseBootstrap(string text, string source)
    {
        if (!Multiaddr.TryParse(text, out var address) || address!.PeerId is null)
        {
            throw new ArgumentException($"{source}: '{text}' is not a full multiaddr ending in /p2p/<peer id>, e.g. /ip4/10.0.0.1/tcp/4001/p2p/12D3KooW...; copy one from the 'listening:' lines another node prints");
        }

        return address;
    }
}

/// <summary>-h was given: print usage and exit 0.</summary>
public sealed class HelpRequestedException : Exception;
