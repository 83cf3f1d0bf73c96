using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Noise;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Protocols.Identify;
using PhysarumSM.Libp2p.Protocols.Ping;
using PhysarumSM.Libp2p.Transport;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Host;

/// <summary>
/// A libp2p peer: listens, dials, keeps one connection per peer, routes inbound streams to protocol
/// handlers and opens outbound ones. Why one class: it is the composition root of the layers; the
/// layers themselves live behind their interfaces (transport, protector, security, muxer).
/// </summary>
public sealed partial class Libp2pHost : IAsyncDisposable
{
    private readonly IdentityKey _identity;
    private readonly Libp2pHostOptions _options;
    private readonly ILogger _logger;
    private readonly ITransport _transport;
    private readonly ConnectionUpgrader _upgrader;
    private readonly ConcurrentDictionary<string, StreamHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<PeerId, List<Libp2pConnection>> _connections = [];
    private readonly Dictionary<PeerId, Task<Libp2pConnection>> _pendingDials = [];
    private readonly List<ITransportListener> _listeners = [];
    private readonly BackgroundTasks _tasks = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _connectionCount;
    private int _disposed;

    public Libp2pHost(IdentityKey identity, Libp2pHostOptions? options = null, ILoggerFactory? loggerFactory = null, ITransport? transport = null)
    {
        _identity = identity;
        _options = options ?? new Libp2pHostOptions();
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<Libp2pHost>();
        _transport = transport ?? new TcpTransport();
        var muxer = new YamuxMuxer(_options.Yamux, loggerFactory);
        _upgrader = new ConnectionUpgrader(
            _options.PreSharedKey is { } psk ? new PnetProtector(psk) : null,
            new NoiseSecurity(identity, [muxer.ProtocolId], loggerFactory),
            muxer,
            _options.HandshakeTimeout);

        SetStreamHandler(PingProtocol.Id, PingProtocol.HandleAsync);
        SetStreamHandler(IdentifyProtocol.Id, (stream, ct) => IdentifyProtocol.RespondAsync(stream, DescribeSelf(), ct));
        SetStreamHandler(IdentifyProtocol.PushId, HandleIdentifyPushAsync);
    }

    /// <summary>This host's peer ID.</summary>
    public PeerId PeerId => _identity.PeerId;

    /// <summary>Addresses and identify data of other peers.</summary>
    public PeerStore PeerStore { get; } = new();

    /// <summary>Raised when the first connection to a peer is up.</summary>
    public event EventHandler<PeerConnectionEventArgs>? PeerConnected;

    /// <summary>Raised when the last connection to a peer has closed.</summary>
    public event EventHandler<PeerConnectionEventArgs>? PeerDisconnected;

    /// <summary>Raised when identify with a peer has completed (its listen addresses are in the peer store).</summary>
    public event EventHandler<PeerConnectionEventArgs>? PeerIdentified;

    /// <summary>Actual listen addresses (bound ports; wildcard hosts expanded to interface addresses).</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.SelectMany(l => Expand(l.LocalAddress)).Distinct().ToArray();
            }
        }
    }

    /// <summary>Peers with at least one live connection.</summary>
    public IReadOnlyList<PeerId> ConnectedPeers
    {
        get
        {
            lock (_connections)
            {
                return _connections.Keys.ToArray();
            }
        }
    }

    /// <summary>Number of host tasks still running (for shutdown checks).</summary>
    internal int RunningTasks => _tasks.Count;

    /// <summary>Registers (or replaces) the handler for inbound streams of <paramref name="protocol"/>.</summary>
    public void SetStreamHandler(string protocol, StreamHandler handler) => _handlers[protocol] = handler;

    /// <summary>Stops accepting streams of <paramref name="protocol"/> (peers then get "na").</summary>
    public void RemoveStreamHandler(string protocol) => _handlers.TryRemove(protocol, out _);

    /// <summary>Protocols this host accepts inbound (sent in identify).</summary>
    public IReadOnlyList<string> Protocols => _handlers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Starts listening on the configured addresses.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var text in _options.ListenAddresses)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Listen(Multiaddr.Parse(text));
        }

        return Task.CompletedTask;
    }

    /// <summary>Listens on one more address; returns the bound address.</summary>
    public Multiaddr Listen(Multiaddr address)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var listener = _transport.Listen(address);
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        HostLog.Listening(_logger, listener.LocalAddress);
        _tasks.Run(() => AcceptLoopAsync(listener));
        return listener.LocalAddress;
    }

    /// <summary>The live connection to <paramref name="peer"/>, if any.</summary>
    public Libp2pConnection? GetConnection(PeerId peer)
    {
        lock (_connections)
        {
            return _connections.TryGetValue(peer, out var list) ? Preferred(list) : null;
        }
    }

    /// <summary>
    /// Connects to <paramref name="address"/> (with or without /p2p/). Returns the existing connection when
    /// the peer is already connected; concurrent dials to one peer share one attempt.
    /// </summary>
    public Task<Libp2pConnection> ConnectAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var expected = address.PeerId;
        if (expected is null)
        {
            return DialAsync(address, null, cancellationToken);
        }

        if (expected == PeerId)
        {
            throw new ArgumentException($"{address} is this host itself", nameof(address));
        }

        if (GetConnection(expected) is { } existing)
        {
            return Task.FromResult(existing);
        }

        return SharedDialAsync(expected, () => DialAsync(address.WithoutPeerId(), expected, CancellationToken.None), cancellationToken);
    }

    /// <summary>Connects to <paramref name="peer"/> using the addresses in the peer store.</summary>
    public Task<Libp2pConnection> ConnectAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (GetConnection(peer) is { } existing)
        {
            return Task.FromResult(existing);
        }

        return SharedDialAsync(peer, () => DialAnyAsync(peer), cancellationToken);
    }

    /// <summary>Opens a stream to <paramref name="peer"/> (connecting first if needed) for the first supported protocol.</summary>
    public async Task<Libp2pStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        return await connection.NewStreamAsync(protocols, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One ping over a fresh stream.</summary>
    public async Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        await using var client = await PingClient.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        return await client.PingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks <paramref name="peer"/> for its identify information and stores it.</summary>
    public async Task<IdentifyInfo> IdentifyAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        return await IdentifyAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes every connection to <paramref name="peer"/>.</summary>
    public async Task DisconnectAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        Libp2pConnection[] list;
        lock (_connections)
        {
            list = _connections.TryGetValue(peer, out var l) ? l.ToArray() : [];
        }

        foreach (var connection in list)
        {
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening, closes every connection and waits for every task the host started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        ITransportListener[] listeners;
        lock (_listeners)
        {
            listeners = _listeners.ToArray();
            _listeners.Clear();
        }

        foreach (var listener in listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        Libp2pConnection[] connections;
        lock (_connections)
        {
            connections = _connections.Values.SelectMany(l => l).ToArray();
        }

        foreach (var connection in connections)
        {
            await connection.Muxer.DisposeAsync().ConfigureAwait(false);
        }

        await _tasks.WhenAllAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>A wildcard listen address stands for every local address of its family.</summary>
    private static IEnumerable<Multiaddr> Expand(Multiaddr address)
    {
        if (!address.TryGetTcpTarget(out var host, out var port) || !IPAddress.TryParse(host, out var ip)
            || !(ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            return [address];
        }

        var family = ip.AddressFamily;
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == family && !a.IsIPv6LinkLocal)
            .Select(a => Multiaddr.FromEndPoint(new IPEndPoint(a, port)))
            .ToArray();
    }
}
