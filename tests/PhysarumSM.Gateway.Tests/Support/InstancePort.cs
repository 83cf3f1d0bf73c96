using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>
/// Stands in for an instance's container port: a loopback TCP listener that serves each accepted connection with a
/// chosen behaviour, and counts connections (so a test can show that none was made).
/// </summary>
internal sealed class InstancePort : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    private InstancePort(Func<Socket, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Serves each connection with <paramref name="serve"/> (which owns the socket).</summary>
    public static InstancePort Start(Func<Socket, CancellationToken, Task> serve) => new(serve);

    /// <summary>Echoes every byte; passes the peer's half-close on.</summary>
    public static InstancePort Echo() => new(EchoAsync);

    /// <summary>Reads to EOF, then answers "sha256-hex length" and closes: an answer proves EOF arrived.</summary>
    public static InstancePort Digest() => new(DigestAsync);

    public static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                return;
            }

            await SendAllAsync(socket, buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None, cancellationToken)..];
        }
    }

    /// <summary>Everything the peer sends until it half-closes.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    public static string DigestLine(ReadOnlySpan<byte> data) => $"{Convert.ToHexString(SHA256.HashData(data))} {data.Length}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        try
        {
            await Task.WhenAll(_connections);
        }
        catch (Exception)
        {
            // A connection's failure is the test's business (it observes its own outcome).
        }

        _stop.Dispose();
    }

    private static async Task DigestAsync(Socket socket, CancellationToken cancellationToken)
    {
        var data = await ReceiveToEndAsync(socket, cancellationToken);
        await SendAllAsync(socket, Encoding.ASCII.GetBytes(DigestLine(data)), cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await _serve(socket, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The tunnel tore the connection down; tests that care observe it in their own serve delegate.
            }
        }
    }
}
