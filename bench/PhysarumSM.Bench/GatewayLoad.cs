using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PhysarumSM.Bench;

/// <summary>One wrk run's figures, parsed from its <c>--latency</c> output (latencies in milliseconds).</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, long Requests, long SocketErrors, long Non2xx)
{
    /// <summary>True when every request got a 2xx/3xx and no socket failed.</summary>
    public bool Clean => SocketErrors == 0 && Non2xx == 0;
}

/// <summary>
/// Runs the `wrk` load generator (closed loop: each connection sends its next request when the previous answer
/// arrived) and parses its report. Why wrk: a C load generator costs the shared 2 cores far less CPU per request
/// than a .NET one would, and its --latency percentiles come from an HdrHistogram of every request.
/// </summary>
internal static partial class Wrk
{
    /// <summary>`wrk -v`'s first line (wrk prints its version and usage, then exits non-zero).</summary>
    public static async Task<string> VersionAsync(string executable, CancellationToken ct)
    {
        var info = new ProcessStartInfo(executable, ["-v"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        var text = await process.StandardOutput.ReadToEndAsync(ct) + await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "wrk (version unknown)";
    }

    /// <summary>
    /// Runs `wrk -t T -c C -d Ns --latency URL`; <paramref name="whileRunning"/> gets wrk's pid as soon as it started and
    /// runs alongside it (the CPU window), and must finish before wrk's run ends.
    /// </summary>
    public static async Task<(WrkResult Result, string Output, T Extra)> RunAsync<T>(
        string executable, Uri url, int connections, int threads, TimeSpan duration, Func<int, Task<T>> whileRunning, CancellationToken ct)
    {
        var seconds = ((int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{seconds}s", "--timeout", "5s", "--latency", url.ToString(),
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var extra = await whileRunning(process.Id);
            await process.WaitForExitAsync(ct);
            var output = await stdout + await stderr;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk exited with {process.ExitCode} for {url}:\n{output}");
            }

            return (Parse(output, url), output, extra);
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            throw;
        }
    }

    /// <summary>Reads Requests/sec, the 50/90/99 % latencies, the request count and the error lines of wrk's report.</summary>
    public static WrkResult Parse(string output, Uri url)
    {
        var rps = RequestsPerSecond().Match(output);
        var requests = RequestCount().Match(output);
        if (!rps.Success || !requests.Success)
        {
            throw new InvalidOperationException($"wrk printed no Requests/sec for {url}:\n{output}");
        }

        var errors = SocketErrorsLine().Match(output);
        var socketErrors = errors.Success
            ? Enumerable.Range(1, 4).Sum(g => long.Parse(errors.Groups[g].Value, CultureInfo.InvariantCulture))
            : 0;
        var non2xx = Non2xxLine().Match(output);
        return new WrkResult(
            double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50", url),
            Percentile(output, "90", url),
            Percentile(output, "99", url),
            long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
            socketErrors,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    // wrk prints latencies with their own unit: 812.00us, 1.23ms, 2.01s, 1.00m.
    private static double Percentile(string output, string percent, Uri url)
    {
        var match = Regex.Match(output, $@"^\s*{percent}(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk printed no {percent}% latency for {url} (was --latency given?):\n{output}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();
}

/// <summary>
/// CPU time per category of process over one window, in core-seconds, with the machine's own totals; <paramref name="Jit"/>
/// is the part of a .NET category spent on its tiered-compilation thread (already inside <paramref name="ByCategory"/>).
/// </summary>
internal sealed record CpuUsage(double Seconds, IReadOnlyDictionary<string, double> ByCategory, IReadOnlyDictionary<string, double> Jit, double Busy, double Interrupts, double Steal)
{
    /// <summary>Busy time no category accounts for: other processes (other people's work), exited ones, kernel threads.</summary>
    public double Unattributed => Math.Max(0, Busy - Interrupts - Steal - ByCategory.Values.Sum());
}

/// <summary>
/// Where the CPU goes during a run, from /proc: each process's utime+stime (all its threads) at the start and end of a
/// window, summed per category, and the machine's /proc/stat totals. Why not pidstat or top: no extra package, and the
/// categories (which node, the container's cgroup, its docker-proxy) need knowledge only the bench has.
/// </summary>
internal sealed class CpuWindow
{
    // USER_HZ: the unit of /proc/stat and /proc/PID/stat times; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    // The runtime's background JIT thread (thread names are cut to 15 characters): JIT work a warm process no longer does.
    private const string TieredCompilationThread = ".NET Tiered Com";

    private readonly Func<ProcessInfo, string?> _classify;
    private readonly Func<string, bool> _dotnet;
    private readonly Dictionary<int, string?> _categories = [];
    private Dictionary<int, long> _startTicks = [];
    private Dictionary<int, (int Pid, long Ticks)> _startJit = [];
    private long[] _startMachine = [];
    private long _startTimestamp;

    private CpuWindow(Func<ProcessInfo, string?> classify, Func<string, bool> dotnet)
    {
        _classify = classify;
        _dotnet = dotnet;
    }

    /// <summary>
    /// Starts a window; <paramref name="classify"/> names a process's category, or null for "not ours"; for categories
    /// <paramref name="dotnet"/> accepts, the time of the tiered-compilation thread is also reported on its own.
    /// </summary>
    public static CpuWindow Start(Func<ProcessInfo, string?> classify, Func<string, bool> dotnet)
    {
        var window = new CpuWindow(classify, dotnet);
        window._startTicks = window.ProcessTicks();
        window._startJit = window.JitTicks();
        // The machine's ticks and the clock are read together, after the (slower) process scan, so busy shares are exact.
        window._startMachine = MachineTicks();
        window._startTimestamp = Stopwatch.GetTimestamp();
        return window;
    }

    /// <summary>Ends the window: core-seconds per category and the machine's busy, interrupt and steal time.</summary>
    public CpuUsage Stop()
    {
        var endMachine = MachineTicks();
        var seconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var endTicks = ProcessTicks();
        var jit = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (tid, (pid, ticks)) in JitTicks())
        {
            // By thread: the runtime ends an idle JIT thread and starts a new one later, which counts from zero.
            var category = _categories[pid]!;
            jit[category] = jit.GetValueOrDefault(category) + ((ticks - _startJit.GetValueOrDefault(tid).Ticks) / TicksPerSecond);
        }

        var byCategory = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (pid, ticks) in endTicks)
        {
            if (_categories.GetValueOrDefault(pid) is { } category)
            {
                // A process born inside the window counts from zero.
                var delta = ticks - _startTicks.GetValueOrDefault(pid);
                byCategory[category] = byCategory.GetValueOrDefault(category) + (delta / TicksPerSecond);
            }
        }

        // /proc/stat cpu: user nice system idle iowait irq softirq steal (guest time is already inside user).
        var machine = endMachine.Zip(_startMachine, (end, start) => (end - start) / TicksPerSecond).ToArray();
        var total = machine.Take(8).Sum();
        var busy = total - machine[3] - machine[4];
        return new CpuUsage(seconds, byCategory, jit, busy, machine[5] + machine[6], machine[7]);
    }

    /// <summary>utime+stime of each tiered-compilation thread (by thread id) of the processes in a .NET category.</summary>
    private Dictionary<int, (int Pid, long Ticks)> JitTicks()
    {
        var ticks = new Dictionary<int, (int Pid, long Ticks)>();
        foreach (var (pid, category) in _categories)
        {
            if (category is null || !_dotnet(category))
            {
                continue;
            }

            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (stat[(open + 1)..close] != TieredCompilationThread)
                    {
                        continue;
                    }

                    var fields = stat[(close + 2)..].Split(' ');
                    var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                    ticks[tid] = (pid, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process or thread exited while it was read.
            }
        }

        return ticks;
    }

    private static long[] MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private Dictionary<int, long> ProcessTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                if (!_categories.ContainsKey(pid))
                {
                    _categories[pid] = _classify(ProcessInfo.Read(pid, directory));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process exited between listing and reading.
            }
        }

        return ticks;
    }
}

/// <summary>What identifies a process: its pid, command line (arguments joined by spaces) and cgroup lines.</summary>
internal sealed record ProcessInfo(int Pid, string CommandLine, string Cgroup)
{
    public static ProcessInfo Read(int pid, string directory) => new(
        pid,
        File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim(),
        File.ReadAllText(Path.Combine(directory, "cgroup")));
}

/// <summary>TCP connections in the host's network namespace whose remote port is one port, by state (from /proc/net/tcp and tcp6).</summary>
internal static class TcpTable
{
    private const string Established = "01";
    private const string TimeWait = "06";

    /// <summary>Established and TIME_WAIT sockets connected to one of <paramref name="remotePorts"/>: pooled connections against churn.</summary>
    public static (int Established, int TimeWait) Count(params int[] remotePorts)
    {
        var established = 0;
        var timeWait = 0;
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                // "sl local_address rem_address st ...": addresses are HEX_IP:HEX_PORT.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || !remotePorts.Contains(int.Parse(fields[2][(fields[2].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                {
                    continue;
                }

                established += fields[3] == Established ? 1 : 0;
                timeWait += fields[3] == TimeWait ? 1 : 0;
            }
        }

        return (established, timeWait);
    }
}
