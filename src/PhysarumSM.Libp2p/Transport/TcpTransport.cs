using System.Net;
using System.Net.Sockets;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Transport;

/// <summary>
/// Plain TCP for /ip4, /ip6 and /dns* addresses. Why Nagle is off: muxed protocols send many small
/// frames (pings, window updates) whose latency matters more than packet count.
/// </summary>
public sealed class TcpTransport : ITransport
{
    /// <inheritdoc />
    public bool CanDial(Multiaddr address) => address.TryGetTcpTarget(out _, out _);

    /// <inheritdoc />
    public async Task<RawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        if (!address.TryGetTcpTarget(out var host, out var port))
        {
            throw new ArgumentException($"'{address}' is not a TCP address (expected /ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT)", nameof(address));
        }

        var addresses = IPAddress.TryParse(host, out var ip)
            ? [ip]
            : await ResolveAsync(address, host, cancellationToken).ConfigureAwait(false);

        Exception? last = null;
        foreach (var candidate in addresses)
        {
            var socket = new Socket(candidate.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(candidate, port), cancellationToken).ConfigureAwait(false);
                return ToConnection(socket);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = ex;
                if (ex is OperationCanceledException)
                {
                    throw;
                }
            }
        }

        throw new IOException($"could not connect to {address}: {last?.Message ?? "no address"}", last);
    }

    /// <inheritdoc />
    public ITransportListener Listen(Multiaddr address)
    {
        if (!address.TryGetTcpTarget(out var host, out var port) || !IPAddress.TryParse(host, out var ip))
        {
            throw new ArgumentException($"cannot listen on '{address}': expected /ip4/ADDR/tcp/PORT or /ip6/ADDR/tcp/PORT", nameof(address));
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ip, port));
            socket.Listen(512);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {address}: {ex.Message}", ex);
        }

        return new TcpListener(socket);
    }

    internal static RawConnection ToConnection(Socket socket)
    {
        socket.NoDelay = true;
        return new RawConnection(
            new NetworkStream(socket, ownsSocket: true),
            Multiaddr.FromEndPoint(Normalize((IPEndPoint)socket.LocalEndPoint!)),
            Multiaddr.FromEndPoint(Normalize((IPEndPoint)socket.RemoteEndPoint!)));
    }

    /// <summary>Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; peers want to see /ip4.</summary>
    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static async Task<IPAddress[]> ResolveAsync(Multiaddr address, string host, CancellationToken cancellationToken)
    {
        var family = address.Components[0].Protocol.Name switch
        {
            "dns4" => AddressFamily.InterNetwork,
            "dns6" => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unspecified,
        };
        try
        {
            return await Dns.GetHostAddressesAsync(host, family, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException($"cannot resolve '{host}' in {address}: {ex.Message}", ex);
        }
    }

    private sealed class TcpListener(Socket socket) : ITransportListener
    {
        public Multiaddr LocalAddress { get; } = Multiaddr.FromEndPoint(Normalize((IPEndPoint)socket.LocalEndPoint!));

        public async ValueTask<RawConnection> AcceptAsync(CancellationToken cancellationToken)
        {
            var accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            return ToConnection(accepted);
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
