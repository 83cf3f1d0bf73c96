using System.Net;
using System.Net.Sockets;

namespace PhysarumSM.Node.Tests.Support;

/// <summary>A plain TCP echo server on loopback: echoes until EOF, then closes. Why: the relay is tested below libp2p too.</summary>
internal sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accept;

    public TcpEchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accept = Task.Run(AcceptAsync);
    }

    public IPEndPoint EndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener.Dispose();
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }

    /// <summary>Connects to <paramref name="endPoint"/>, sends <paramref name="payload"/> in pieces, half-closes and returns everything read back.</summary>
    public static async Task<byte[]> EchoThroughAsync(IPEndPoint endPoint, byte[] payload, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        var receive = Task.Run(async () =>
        {
            using var copy = new MemoryStream();
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                copy.Write(buffer, 0, read);
            }

            return copy.ToArray();
        }, cancellationToken);
        for (var offset = 0; offset < payload.Length; offset += 10_000)
        {
            var length = Math.Min(10_000, payload.Length - offset);
            await socket.SendAsync(payload.AsMemory(offset, length), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
        return await receive;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_closing.Token);
            }
            catch (Exception)
            {
                return;
            }

            lock (_tasks)
            {
                _tasks.Add(Task.Run(() => EchoAsync(client)));
            }
        }
    }

    private async Task EchoAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, _closing.Token)) > 0)
                {
                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _closing.Token);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // Client gone or server closing.
            }
        }
    }
}
