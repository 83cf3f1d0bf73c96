using System.Net.Sockets;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Libp2p.Muxing;
using PhysarumSM.Libp2p.Transport;

namespace PhysarumSM.Libp2p.Host;

// Connections: accepting, upgrading and registering them (one per peer), watching them close, and routing their streams.
public sealed partial class Libp2pHost
{
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
}
