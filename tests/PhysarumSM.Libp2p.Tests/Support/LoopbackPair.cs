using System.Net;
using System.Net.Sockets;

namespace PhysarumSM.Libp2p.Tests.Support;

/// <summary>
/// Two ends of a real loopback TCP connection. Why real sockets instead of an in-memory pipe:
/// layers under test then see the same partial reads, buffering and close semantics as in production.
/// </summary>
public sealed class LoopbackPair : IAsyncDisposable
{
    private LoopbackPair(NetworkStream client, NetworkStream server)
    {
        Client = client;
        Server = server;
    }

    /// <summary>The dialling end.</summary>
    public NetworkStream Client { get; }

    /// <summary>The accepting end.</summary>
    public NetworkStream Server { get; }

    public static async Task<LoopbackPair> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync(cancellationToken).AsTask();
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        var server = await accept;
        server.NoDelay = true;
        return new LoopbackPair(new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
