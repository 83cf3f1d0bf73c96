using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace PhysarumSM.TestKit;

/// <summary>Runs the real `physarum` CLI (physarum.dll beside the test assembly) and captures what it printed.</summary>
public static class CliProcess
{
    /// <summary>
    /// Starts a long-running CLI command (e.g. <c>proxy</c>) and returns at once; the handle collects its output and
    /// stops it (SIGTERM, then SIGKILL) when disposed.
    /// </summary>
    public static CliHandle Start(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        CliHandle.Start(StartInfo(args, environment));

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken, IDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "physarum.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("P2P_PSK");
        info.Environment.Remove("P2P_BOOTSTRAPS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }
}

/// <summary>Exit code and output of one CLI run.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// A running `physarum` process started by <see cref="CliProcess.Start"/>: its output lines as they come, a wait for a
/// given line, and a clean stop (SIGTERM) on dispose, killed if it does not exit in time.
/// </summary>
public sealed class CliHandle : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Line, TaskCompletionSource Seen)> _waits = [];

    private CliHandle(Process process) => _process = process;

    /// <summary>Completes with the exit code once the process ended and its output was read.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Lines written to stdout so far.</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    /// <summary>Lines written to stderr so far.</summary>
    public IReadOnlyList<string> Error => _error.ToArray();

    /// <summary>Starts any command with its output collected, e.g. a repository script (the quick-start test runs scripts/run.sh).</summary>
    public static CliHandle Start(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var handle = new CliHandle(process);
        process.OutputDataReceived += (_, e) => handle.Collect(handle._output, e.Data);
        process.ErrorDataReceived += (_, e) => handle.Collect(handle._error, e.Data);
        // WaitForExit() also drains the redirected output, so Output and Error are complete on exit.
        process.Exited += (_, _) => Task.Run(() =>
        {
            process.WaitForExit();
            handle._exited.TrySetResult(process.ExitCode);
        });
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    /// <summary>Waits until stdout has a line equal to <paramref name="line"/>; throws with the output if the process exits first.</summary>
    public async Task WaitForLineAsync(string line, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waits)
        {
            if (_output.Contains(line))
            {
                return;
            }

            _waits.Add((line, seen));
        }

        var done = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (done == _exited.Task && !seen.Task.IsCompleted)
        {
            throw new InvalidOperationException($"physarum exited with {_exited.Task.Result} before printing '{line}':\n{this}");
        }
    }

    /// <summary>SIGTERM, and waits for the exit code.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"--- stdout\n{string.Join('\n', Output)}\n--- stderr\n{string.Join('\n', Error)}";

    private void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_waits)
        {
            lines.Enqueue(line);
            if (ReferenceEquals(lines, _output))
            {
                _waits.RemoveAll(w => w.Line == line && w.Seen.TrySetResult());
            }
        }
    }
}
