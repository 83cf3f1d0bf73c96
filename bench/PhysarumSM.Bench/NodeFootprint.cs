using System.Diagnostics;
using System.Globalization;
using System.Text;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Pnet;

namespace PhysarumSM.Bench;

/// <summary>
/// Idle footprint of one physarum-node with 10 connected peers: resident memory and CPU share over a quiet
/// window, against the original ping-monitor's published 32 MB / 4.8 % CPU as the anchor. Why peers in
/// this process: they are plain libp2p hosts, so only the node under test pays for Orleans and metrics.
/// </summary>
internal static class NodeFootprint
{
    private const double AnchorMegabytes = 32;
    private const double AnchorCpuPercent = 4.8;
    private const string Psk = "footprint-bench";

    public static async Task<string> MeasureAsync(TimeSpan window, int peers)
    {
        var ports = Enumerable.Range(0, 4).Select(_ => FreePort()).ToArray();
        var dir = Directory.CreateTempSubdirectory("physarum-footprint-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "physarum-node.dll"),
                     "-p2p-listen-addr", $"127.0.0.1:{ports[0]}", "-prom-listen-addr", $"127.0.0.1:{ports[1]}",
                     "-silo-port", $"{ports[2]}", "-gateway-port", $"{ports[3]}", "-primary-silo", $"127.0.0.1:{ports[2]}",
                     "-keyfile", Path.Combine(dir, "node.key"), "-psk", Psk,
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var node = Process.Start(info)!;
        string? address = null;
        while (await node.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("listening: ", StringComparison.Ordinal))
            {
                address = line["listening: ".Length..];
            }

            if (line == "physarum-node ready")
            {
                break;
            }
        }

        _ = node.StandardOutput.ReadToEndAsync();
        _ = node.StandardError.ReadToEndAsync();
        var hosts = new List<Libp2pHost>();
        try
        {
            for (var i = 0; i < peers; i++)
            {
                var host = new Libp2pHost(IdentityKey.Generate(), new Libp2pHostOptions
                {
                    ListenAddresses = ["/ip4/127.0.0.1/tcp/0"],
                    PreSharedKey = PreSharedKey.FromPassphrase(Psk),
                });
                await host.StartAsync();
                await host.ConnectAsync(Multiaddr.Parse(address!));
                hosts.Add(host);
            }

            // Let the mesh settle (peer exchange, first pings, JIT), then measure a quiet window.
            await Task.Delay(TimeSpan.FromSeconds(15));
            var (cpuBefore, _) = ReadProc(node.Id);
            var watch = Stopwatch.StartNew();
            await Task.Delay(window);
            var (cpuAfter, rssKb) = ReadProc(node.Id);
            var cpuPercent = (cpuAfter - cpuBefore).TotalSeconds / watch.Elapsed.TotalSeconds * 100;
            var rssMb = rssKb / 1024.0;

            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"Idle physarum-node with {peers} connected peers (PSK on, ping monitor pinging every peer each second, Orleans silo with localhost clustering), measured over {window.TotalSeconds:0} s after 15 s of settling:");
            text.AppendLine();
            text.AppendLine("| measurement | physarum-node | original ping-monitor (anchor) | ratio |");
            text.AppendLine("|---|---|---|---|");
            text.AppendLine(CultureInfo.InvariantCulture, $"| resident memory | {rssMb:0} MB | {AnchorMegabytes:0} MB | {rssMb / AnchorMegabytes:0.00} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| CPU (share of one core) | {cpuPercent:0.0} % | {AnchorCpuPercent:0.0} % | {cpuPercent / AnchorCpuPercent:0.00} |");
            return text.ToString();
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>utime+stime and VmRSS of a process, from /proc.</summary>
    private static (TimeSpan Cpu, long RssKb) ReadProc(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var rss = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (TimeSpan.FromSeconds(ticks / 100.0), kb); // USER_HZ is 100 on Linux
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
