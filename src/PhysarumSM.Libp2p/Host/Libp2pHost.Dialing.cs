using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Transport;

namespace PhysarumSM.Libp2p.Host;

// Dialing: one dial per peer at a time, any of its known addresses, and the upgrade of an outbound connection.
public sealed partial class Libp2pHost
{
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
}
