using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace PhysarumSM.Registry.Cluster;

/// <summary>One run of the etcd child process: its output (logged, and the tail kept for error messages) and its end.</summary>
internal sealed partial class EtcdProcess : IDisposable
{
    private const int TailLines = 40;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly ILogger _logger;

    private EtcdProcess(Process process, ILogger logger)
    {
        _process = process;
        _logger = logger;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static EtcdProcess Start(string executable, IReadOnlyList<string> arguments, string workingDirectory, ILogger logger)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // etcd also reads ETCD_* variables as flags; ours must be the only configuration.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var run = new EtcdProcess(process, logger);
        process.OutputDataReceived += (_, e) => run.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => run.OnOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGTERM (etcd then closes its WAL cleanly), SIGKILL if it is still running after <paramref name="grace"/>.</summary>
    public async Task TerminateAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            if (_process.HasExited)
            {
                return;
            }
        }
        catch (InvalidOperationException)
        {
            return; // already reaped and released by the supervisor: nothing left to stop
        }

        Terminate(_process.Id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogKilled(_process.Id, grace);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The last lines etcd printed, for error messages.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; false when no such process is left.</summary>
    public static bool Terminate(int pid) => NativeMethods.Kill(pid, SigTerm) == 0;

    public void Dispose() => _process.Dispose();

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        LogOutput(_process.Id, line);
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd[{Pid}]: {Line}")]
    private partial void LogOutput(int pid, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd[{Pid}] did not exit within {Grace} of SIGTERM; killed")]
    private partial void LogKilled(int pid, TimeSpan grace);

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
