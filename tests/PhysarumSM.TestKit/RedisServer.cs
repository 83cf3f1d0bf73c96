using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PhysarumSM.TestKit;

/// <summary>
/// A real, throw-away redis-server for tests: its own free port, no persistence, a temp working dir, killed on dispose.
/// Why real: Orleans' Redis membership uses Lua scripts and transactions that a fake would not prove.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly string _directory;
    private readonly bool _persistent;
    private readonly string _bind;
    private Process _process;
    private StringBuilder _output;

    private RedisServer(string executable, Process process, int port, string directory, bool persistent, string bind, StringBuilder output)
    {
        _bind = bind;
        _executable = executable;
        _process = process;
        Port = port;
        _directory = directory;
        _persistent = persistent;
        _output = output;
    }

    /// <summary>The TCP port the server listens on (loopback only).</summary>
    public int Port { get; }

    /// <summary>HOST:PORT as the node's <c>-redis</c> flag takes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts a server and returns once it answers PING; installs redis-server with apt-get first if it is missing.</summary>
    /// <param name="cancellationToken">A failure guard: cancel to give up waiting.</param>
    public static Task<RedisServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(persistent: false, cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(CancellationToken)"/>; <paramref name="persistent"/> turns on the append-only file (fsync
    /// every write), so <see cref="RestartAsync"/> comes back with the data, as a production Redis would.
    /// </summary>
    public static Task<RedisServer> StartAsync(bool persistent, CancellationToken cancellationToken = default) =>
        StartAsync(persistent, "127.0.0.1", cancellationToken);

    /// <summary>As <see cref="StartAsync(bool, CancellationToken)"/>, listening on <paramref name="bind"/> (0.0.0.0 for nodes in other network namespaces).</summary>
    public static async Task<RedisServer> StartAsync(bool persistent, string bind, CancellationToken cancellationToken = default)
    {
        var executable = await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        IOException? lastError = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // A port found free may be taken before redis binds it; another port is the fix.
            try
            {
                return await TryStartAsync(executable, FreePorts.Take(1)[0], persistent, bind, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                lastError = ex;
            }
        }

        throw lastError!;
    }

    /// <summary>
    /// SIGKILLs the server and starts it again on the same port and directory (with <c>persistent</c>, on the same data);
    /// returns once it answers PING.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        KillProcess();
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        _process.Dispose();
        (_process, _output) = Launch(_executable, Port, _directory, _persistent, _bind);
        await WaitForPongAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the server and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            KillProcess();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<RedisServer> TryStartAsync(string executable, int port, bool persistent, string bind, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("physarum-redis-").FullName;
        var (process, output) = Launch(executable, port, directory, persistent, bind);
        var server = new RedisServer(executable, process, port, directory, persistent, bind, output);
        try
        {
            await server.WaitForPongAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static (Process Process, StringBuilder Output) Launch(string executable, int port, string directory, bool persistent, string bind)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", bind, "--protected-mode", "no",
                     "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
                     "--dir", directory, "--daemonize", "no",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private void KillProcess()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private async Task WaitForPongAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new IOException($"redis-server on port {Port} exited with {_process.ExitCode}: {Output()}");
            }

            if (await AnswersPingAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Task<string> EnsureInstalledAsync(CancellationToken cancellationToken) =>
        DebianPackage.EnsureExecutableAsync("redis-server", "redis-server", cancellationToken);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 8192)
            {
                output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
