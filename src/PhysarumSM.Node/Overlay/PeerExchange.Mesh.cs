using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;

namespace PhysarumSM.Node.Overlay;

/// <summary>Asking peers in the background and dialling what they tell us.</summary>
public sealed partial class PeerExchange
{
    /// <summary>Starts one exchange with <paramref name="peer"/> unless one is running or it does not speak the protocol.</summary>
    private void ScheduleExchange(PeerId peer)
    {
        if (_notSpeaking.ContainsKey(peer) || !_exchanging.TryAdd(peer, 0))
        {
            return;
        }

        if (!_tasks.TryRun(() => ExchangeAsync(peer, _stopping.Token)))
        {
            _exchanging.TryRemove(peer, out _);
        }
    }

    private async Task ExchangeAsync(PeerId peer, CancellationToken stop)
    {
        try
        {
            if (_host.GetConnection(peer) is not { } connection)
            {
                return;
            }

            var answer = await RequestPeersAsync(connection, stop).ConfigureAwait(false);
            if (answer.SkippedPeers > 0 || answer.SkippedAddresses > 0)
            {
                OverlayLog.ExchangeAnswerIgnored(_logger, peer, $"parts only: {answer.SkippedPeers} peer entries and {answer.SkippedAddresses} addresses were invalid or over the limits");
            }

            OverlayLog.ExchangeLearned(_logger, peer, answer.Peers.Count);
            var fromLocalPeer = connection.RemoteAddress.IsLoopback;
            foreach (var advert in answer.Peers)
            {
                Learn(advert.Peer, advert.Addresses, fromLocalPeer);
            }

            Wake();
        }
        catch (ProtocolNotSupportedException)
        {
            // An identify-only peer (e.g. js-libp2p): it stays in the mesh, we just never ask it.
            _notSpeaking.TryAdd(peer, 0);
            OverlayLog.ExchangeUnsupported(_logger, peer);
        }
        catch (PeerExchangeException ex)
        {
            OverlayLog.ExchangeAnswerIgnored(_logger, peer, ex.Message);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            OverlayLog.ExchangeFailed(_logger, peer, ex.Message);
        }
        finally
        {
            _exchanging.TryRemove(peer, out _);
        }
    }

    /// <summary>Keeps the dialable addresses of a peer that is not us as a candidate.</summary>
    private void Learn(PeerId peer, IReadOnlyList<Multiaddr> addresses, bool allowLoopback)
    {
        if (peer == _host.PeerId)
        {
            return;
        }

        var dialable = addresses
            .Select(a => a.WithoutPeerId())
            .Where(a => DialableAddress.IsDialable(a, allowLoopback))
            .Distinct()
            .Take(_options.MaxAddressesPerPeer)
            .ToArray();
        _candidates.Learn(peer, dialable);
    }

    /// <summary>Starts dials to due candidates within the mesh and concurrency bounds.</summary>
    private void DialDue()
    {
        var inFlight = Volatile.Read(ref _dialsInFlight);
        var budget = Math.Min(_options.MaxMeshPeers - _host.ConnectedPeers.Count - inFlight, _options.MaxConcurrentDials - inFlight);
        if (budget <= 0)
        {
            return;
        }

        var own = _host.ListenAddresses.ToHashSet();
        var due = _candidates.TakeDue(_time.GetUtcNow(), budget, p => p == _host.PeerId || _host.GetConnection(p) is not null);
        foreach (var (peer, addresses) in due)
        {
            var targets = addresses.Where(a => !own.Contains(a)).ToArray();
            Interlocked.Increment(ref _dialsInFlight);
            if (!_tasks.TryRun(() => DialAsync(peer, targets, _stopping.Token)))
            {
                Interlocked.Decrement(ref _dialsInFlight);
                _candidates.Release(peer);
            }
        }
    }

    private async Task DialAsync(PeerId peer, Multiaddr[] addresses, CancellationToken stop)
    {
        try
        {
            var reason = "no address left to dial (all are our own)";
            foreach (var address in addresses)
            {
                if (_host.GetConnection(peer) is not null)
                {
                    _candidates.Connected(peer);
                    return;
                }

                try
                {
                    await _host.ConnectAsync(address.WithPeerId(peer), stop).ConfigureAwait(false);
                    _candidates.Connected(peer);
                    OverlayLog.MeshConnected(_logger, peer, address);
                    return;
                }
                catch (Exception ex) when (ex is not ObjectDisposedException && !(ex is OperationCanceledException && stop.IsCancellationRequested))
                {
                    reason = ex.Message;
                }
            }

            var (failures, delay) = _candidates.Failed(peer, _time.GetUtcNow(), _options.DialBackoffInitial, _options.DialBackoffMax, _options.ForgetAfterFailures);
            if (delay is { } wait)
            {
                OverlayLog.MeshDialFailed(_logger, peer, failures, reason, wait);
            }
            else
            {
                OverlayLog.MeshForgot(_logger, peer, failures);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ObjectDisposedException)
        {
            // The host is gone.
        }
        finally
        {
            _candidates.Release(peer);
            Interlocked.Decrement(ref _dialsInFlight);
        }
    }
}
