using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace PhysarumSM.Bench;

/// <summary>
/// Runs both stacks through the same measurements (each pair of peers in two processes on loopback) and
/// reports ours/js ratios. Why ratios: absolute figures move with the machine; the ratio in one run does not.
/// </summary>
internal static class BenchRun
{
    private const string Psk = "bench-passphrase";

    public static async Task<int> RunAsync(string[] args)
    {
        var totalMiB = 256;
        var pings = 200;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--mib": totalMiB = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--pings": pings = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": output = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var root = FindRepoRoot();
        var rows = new List<(string Name, string Unit, double Ours, double Js, bool HigherIsBetter)>();
        foreach (var psk in new string?[] { null, Psk })
        {
            var label = psk is null ? "no PSK" : "PSK";
            var ours = await MeasureAsync(Stack.CSharp, psk, root, totalMiB, pings);
            var js = await MeasureAsync(Stack.Js, psk, root, totalMiB, pings);
            rows.Add(($"throughput, 1 stream, {label}", "MB/s", ours.OneStream, js.OneStream, true));
            rows.Add(($"throughput, 16 streams, {label}", "MB/s", ours.SixteenStreams, js.SixteenStreams, true));
            rows.Add(($"ping RTT median, {label}", "ms", ours.PingMedianMs, js.PingMedianMs, false));
        }

        var ceiling = ChaChaCeiling.MeasureMegabytesPerSecond(TimeSpan.FromSeconds(3));
        var report = Render(rows, ceiling, totalMiB, pings, args);
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report);
        }

        return 0;
    }

    private static async Task<Measurement> MeasureAsync(Stack stack, string? psk, string root, int totalMiB, int pings)
    {
        await using var server = await PeerProcess.StartAsync(stack, psk, root);
        await using var client = await PeerProcess.StartAsync(stack, psk, root);
        await client.SendAsync(new JsonObject { ["cmd"] = "dial", ["addr"] = server.Address });
        var total = (long)totalMiB << 20;

        await Sink(client, server, 1, 32L << 20); // warm-up: JIT, window growth
        // Best of three: a short run on a shared 2-core machine is easily disturbed by anything else running.
        double one = 0, sixteen = 0;
        for (var round = 0; round < 3; round++)
        {
            one = Math.Max(one, await Sink(client, server, 1, total));
            sixteen = Math.Max(sixteen, await Sink(client, server, 16, total / 16));
        }


        var rtts = new List<double>(pings);
        for (var i = 0; i < pings; i++)
        {
            var answer = await client.SendAsync(new JsonObject { ["cmd"] = "ping", ["addr"] = server.Address });
            rtts.Add(answer["rttMs"]!.GetValue<double>());
        }

        rtts.Sort();
        return new Measurement(one, sixteen, rtts[rtts.Count / 2]);
    }

    private static async Task<double> Sink(PeerProcess client, PeerProcess server, int streams, long bytesPerStream)
    {
        var answer = await client.SendAsync(new JsonObject
        {
            ["cmd"] = "sink",
            ["addr"] = server.Address,
            ["streams"] = streams,
            ["bytes"] = bytesPerStream,
        });
        return answer["mbPerSec"]!.GetValue<double>();
    }

    private static string Render(List<(string Name, string Unit, double Ours, double Js, bool HigherIsBetter)> rows, double ceiling, int totalMiB, int pings, string[] args)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmark results");
        text.AppendLine();
        text.AppendLine("Produced by:");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine($"dotnet run -c Release --project bench/PhysarumSM.Bench -- {string.Join(' ', args)}".TrimEnd());
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. " +
            $"Each figure: two peers of one stack in two processes on loopback; {totalMiB} MiB pushed per throughput run (best of 3), {pings} pings (stream open + 32-byte round trip, median).");
        text.AppendLine();
        text.AppendLine("| measurement | ours (C#) | js-libp2p | ours / js |");
        text.AppendLine("|---|---|---|---|");
        foreach (var row in rows)
        {
            var ratio = row.HigherIsBetter ? row.Ours / row.Js : row.Js / row.Ours;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Ours:0.00} {row.Unit} | {row.Js:0.00} {row.Unit} | {ratio:0.00}{(row.HigherIsBetter ? "" : " (js/ours: >1 = ours faster)")} |");
        }

        var oneStream = rows[0].Ours;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"ChaCha20-Poly1305 single-core ceiling (BCL, 64 KiB messages): {ceiling:0} MB/s; " +
            $"one stream without PSK reaches {oneStream / ceiling:0.00} of it.");
        return text.ToString();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PhysarumSM.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmark from inside the repository");
    }

    private sealed record Measurement(double OneStream, double SixteenStreams, double PingMedianMs);
}
