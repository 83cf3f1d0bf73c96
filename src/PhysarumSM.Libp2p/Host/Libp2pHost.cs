using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Libp2p.Muxing;
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
public sealed class Libp2pHost : IAsyncDisposable
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

    private IdentifyInfo DescribeSelf() => new(
        _identity.PublicKey,
        ListenAddresses,
        Protocols,
        null,
        _options.ProtocolVersion,
        _options.AgentVersion);

    /// <summary>
    /// One identify exchange per connection, shared by every caller. Why: js-libp2p accepts a single inbound identify
    /// stream per connection and resets a second, so an explicit identify racing the automatic one would fail.
    /// A failed exchange is forgotten, so the next call tries again; push updates keep the peer store current.
    /// </summary>
    private Task<IdentifyInfo> IdentifyAsync(Libp2pConnection connection, CancellationToken cancellationToken)
    {
        Task<IdentifyInfo> exchange;
        lock (connection)
        {
            if (connection.Identify is not { IsFaulted: false, IsCanceled: false } current)
            {
                current = ExchangeIdentifyAsync(connection, _stopping.Token);
                connection.Identify = current;
            }

            exchange = current;
        }

        return exchange.WaitAsync(cancellationToken);
    }

    private async Task<IdentifyInfo> ExchangeIdentifyAsync(Libp2pConnection connection, CancellationToken cancellationToken)
    {
        await using var stream = await connection.NewStreamAsync([IdentifyProtocol.Id], cancellationToken).ConfigureAwait(false);
        var info = await IdentifyProtocol.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        PeerStore.SetIdentify(connection.RemotePeer, info);
        Raise(PeerIdentified, connection);
        return info;
    }

    private async Task HandleIdentifyPushAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var info = await IdentifyProtocol.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        PeerStore.SetIdentify(stream.Connection.RemotePeer, info);
    }

    private async Task<Libp2pConnection> SharedDialAsync(PeerId peer, Func<Task<Libp2pConnection>> dial, CancellationToken cancellationToken)
    {
        Task<Libp2pConnection> attempt;
        lock (_pendingDials)
        {
            // A lock, not GetOrAdd's factory: the factory may run twice under contention and dial twice.
            if (!_pendingDials.TryGetValue(peer, out attempt!))
            {
                attempt = dial();
                _pendingDials[peer] = attempt;
                _ = attempt.ContinueWith(
                    t => { lock (_pendingDials) { _pendingDials.Remove(peer); } },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        return await attempt.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Libp2pConnection> DialAnyAsync(PeerId peer)
    {
        var addresses = PeerStore.GetAddresses(peer).Where(_transport.CanDial).ToArray();
        if (addresses.Length == 0)
        {
            throw new IOException($"no dialable address known for {peer}");
        }

        var failures = new List<Exception>();
        foreach (var address in addresses)
        {
            try
            {
                return await DialAsync(address, peer, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HandshakeException)
            {
                failures.Add(ex);
            }
        }

        throw new IOException($"could not connect to {peer}: {string.Join("; ", failures.Select(f => f.Message))}", new AggregateException(failures));
    }

    private async Task<Libp2pConnection> DialAsync(Multiaddr address, PeerId? expected, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        RawConnection raw;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(linked.Token))
        {
            // The TCP connect gets its own deadline; the upgrader enforces the handshake deadline itself.
            connectTimeout.CancelAfter(_options.HandshakeTimeout);
            try
            {
                raw = await _transport.DialAsync(address, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!linked.IsCancellationRequested)
            {
                throw new IOException($"connecting to {address} timed out after {_options.HandshakeTimeout.TotalSeconds:0.#} s", ex);
            }
        }

        var upgraded = await _upgrader.UpgradeOutboundAsync(raw, expected, linked.Token).ConfigureAwait(false);
        return Register(upgraded, ConnectionDirection.Outbound);
    }

    private async Task AcceptLoopAsync(ITransportListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            RawConnection raw;
            try
            {
                raw = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // Transient accept failures (e.g. a reset before accept) must not stop the listener.
                continue;
            }
            catch (Exception ex)
            {
                HostLog.AcceptLoopFailed(_logger, listener.LocalAddress, ex.Message);
                return;
            }

            if (Interlocked.Increment(ref _connectionCount) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _connectionCount);
                HostLog.InboundRefused(_logger, raw.RemoteAddress, $"connection limit {_options.MaxConnections} reached");
                await raw.Stream.DisposeAsync().ConfigureAwait(false);
                continue;
            }

            _tasks.Run(() => UpgradeInboundAsync(raw));
        }
    }

    private async Task UpgradeInboundAsync(RawConnection raw)
    {
        try
        {
            var upgraded = await _upgrader.UpgradeInboundAsync(raw, _stopping.Token).ConfigureAwait(false);
            Register(upgraded, ConnectionDirection.Inbound, counted: true);
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _connectionCount);
            if (!_stopping.IsCancellationRequested)
            {
                HostLog.InboundHandshakeFailed(_logger, raw.RemoteAddress, ex.Message);
            }
        }
    }

    private Libp2pConnection Register(UpgradedConnection upgraded, ConnectionDirection direction, bool counted = false)
    {
        if (!counted)
        {
            Interlocked.Increment(ref _connectionCount);
        }

        var connection = new Libp2pConnection(upgraded, direction, _options.StreamNegotiationTimeout);
        var peer = connection.RemotePeer;
        bool first;
        Libp2pConnection? loser = null;
        lock (_connections)
        {
            if (!_connections.TryGetValue(peer, out var list))
            {
                list = [];
                _connections[peer] = list;
            }

            first = list.Count == 0;
            var current = Preferred(list);
            list.Add(connection);
            if (current is not null)
            {
                // Both sides apply the same rule, so simultaneous dials settle on the same connection.
                loser = Survives(connection, current) ? current : connection;
                loser.IsSuperseded = true;
            }
        }

        PeerStore.AddAddresses(peer, direction == ConnectionDirection.Outbound ? [connection.RemoteAddress] : []);
        HostLog.Connected(_logger, peer, direction.ToString(), connection.RemoteAddress);
        _tasks.Run(() => AcceptStreamsAsync(connection));
        _tasks.Run(() => WatchAsync(connection));
        _tasks.Run(() => IdentifyInBackgroundAsync(connection));
        if (loser is not null)
        {
            HostLog.Superseded(_logger, peer, ReferenceEquals(loser, connection) ? "older" : "newer");
            _tasks.Run(() => CloseLaterAsync(loser));
        }

        if (first)
        {
            Raise(PeerConnected, connection);
        }

        if (_stopping.IsCancellationRequested)
        {
            _ = connection.Muxer.DisposeAsync();
        }

        return ReferenceEquals(loser, connection) ? GetConnection(peer) ?? connection : connection;
    }

    /// <summary>
    /// Simultaneous-open rule: the connection dialled by the peer with the smaller ID survives; between two
    /// connections dialled by the same side, the newer survives (the dialler replaced one it thought dead).
    /// </summary>
    private bool Survives(Libp2pConnection candidate, Libp2pConnection current)
    {
        var candidateDialler = candidate.Direction == ConnectionDirection.Outbound ? PeerId : candidate.RemotePeer;
        var currentDialler = current.Direction == ConnectionDirection.Outbound ? PeerId : current.RemotePeer;
        if (candidateDialler == currentDialler)
        {
            return true;
        }

        return candidateDialler.Bytes.Span.SequenceCompareTo(currentDialler.Bytes.Span) < 0;
    }

    private static Libp2pConnection? Preferred(List<Libp2pConnection> list)
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (!list[i].IsSuperseded && !list[i].IsClosed)
            {
                return list[i];
            }
        }

        return null;
    }

    private async Task CloseLaterAsync(Libp2pConnection connection)
    {
        try
        {
            await Task.Delay(_options.DuplicateConnectionGrace, _stopping.Token).ConfigureAwait(false);
            await connection.CloseAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception) when (_stopping.IsCancellationRequested || connection.IsClosed)
        {
            // Shutting down, or the connection ended on its own.
        }
    }

    private async Task WatchAsync(Libp2pConnection connection)
    {
        string reason;
        try
        {
            await connection.Completion.ConfigureAwait(false);
            reason = string.Empty;
        }
        catch (Exception ex)
        {
            reason = $": {ex.Message}";
        }

        Interlocked.Decrement(ref _connectionCount);
        bool last;
        lock (_connections)
        {
            last = false;
            if (_connections.TryGetValue(connection.RemotePeer, out var list) && list.Remove(connection) && list.Count == 0)
            {
                _connections.Remove(connection.RemotePeer);
                last = true;
            }
        }

        HostLog.Disconnected(_logger, connection.RemotePeer, reason);
        if (last)
        {
            Raise(PeerDisconnected, connection);
        }
    }

    private async Task IdentifyInBackgroundAsync(Libp2pConnection connection)
    {
        try
        {
            await IdentifyAsync(connection, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            HostLog.IdentifyFailed(_logger, connection.RemotePeer, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Host shutting down.
        }
    }

    private async Task AcceptStreamsAsync(Libp2pConnection connection)
    {
        while (true)
        {
            MuxedStream stream;
            try
            {
                stream = await connection.Muxer.AcceptStreamAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                return; // the session ended; WatchAsync reports why
            }

            if (!connection.TryBeginInboundStream(_options.MaxInboundStreamsPerConnection))
            {
                HostLog.StreamRefused(_logger, connection.RemotePeer, $"more than {_options.MaxInboundStreamsPerConnection} inbound streams");
                stream.Reset();
                continue;
            }

            _tasks.Run(() => HandleStreamAsync(connection, stream));
        }
    }

    private async Task HandleStreamAsync(Libp2pConnection connection, MuxedStream stream)
    {
        try
        {
            string protocol;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(_options.StreamNegotiationTimeout);
                try
                {
                    protocol = await MultistreamSelect.HandleAsync(stream, _handlers.ContainsKey, () => _handlers.Keys, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    HostLog.StreamRefused(_logger, connection.RemotePeer, ex is OperationCanceledException ? "protocol negotiation timed out" : ex.Message);
                    stream.Reset();
                    return;
                }
            }

            if (!_handlers.TryGetValue(protocol, out var handler))
            {
                stream.Reset();
                return;
            }

            await using var libp2pStream = new Libp2pStream(stream, protocol, connection);
            try
            {
                await handler(libp2pStream, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    HostLog.HandlerFailed(_logger, protocol, connection.RemotePeer, ex.Message);
                }

                stream.Reset();
            }
        }
        finally
        {
            connection.EndInboundStream();
        }
    }

    private void Raise(EventHandler<PeerConnectionEventArgs>? handler, Libp2pConnection connection)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new PeerConnectionEventArgs(connection.RemotePeer, connection));
        }
        catch (Exception ex)
        {
            HostLog.EventHandlerFailed(_logger, ex.Message);
        }
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

/// <summary>A peer's connection state changed.</summary>
public sealed class PeerConnectionEventArgs(PeerId peer, Libp2pConnection connection) : EventArgs
{
    public PeerId Peer { get; } = peer;

    public Libp2pConnection Connection { get; } = connection;
}
