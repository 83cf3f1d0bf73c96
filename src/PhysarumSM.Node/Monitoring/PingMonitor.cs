using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols.Ping;
using Prometheus;

namespace PhysarumSM.Node.Monitoring;

/// <summary>
/// Pings every connected peer each interval and keeps last and EWMA RTT per peer, exported as the
/// original's gauges <c>ping_rtt{targetHost,host}</c> and <c>ping_ewma_rtt{targetHost,host}</c> (ms).
/// Why a fresh stream per ping: go and js responders close ping streams after 10 s, so a long-lived
/// stream would lose a sample every few seconds.
/// </summary>
public sealed partial class PingMonitor
{
    private readonly Libp2pHost _host;
    private readonly PingMonitorOptions _options;
    private readonly string _hostname;
    private readonly TimeProvider _time;
    private readonly ILogger<PingMonitor> _logger;
    private readonly Gauge _rtt;
    private readonly Gauge _ewma;
    private readonly ConcurrentDictionary<PeerId, PeerRtt> _peers = new();
    private readonly ConcurrentDictionary<PeerId, byte> _inFlight = new();

    public PingMonitor(Libp2pHost host, PingMonitorOptions options, string hostname, CollectorRegistry registry, ILogger<PingMonitor> logger, TimeProvider? time = null)
    {
        _host = host;
        _options = options;
        _hostname = hostname;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        var factory = Metrics.WithCustomRegistry(registry);
        _rtt = factory.CreateGauge("ping_rtt", "Round-trip time of the last ping to a peer, in milliseconds.", "targetHost", "host");
        _ewma = factory.CreateGauge("ping_ewma_rtt", "Exponentially weighted moving average of the ping RTT to a peer, in milliseconds.", "targetHost", "host");
        // Why: targetHost is a peer ID (the only name a pinged peer has here); joining on this series names it by its host.
        factory.CreateGauge("physarum_node_info", "This node's peer ID, the value ping_rtt's targetHost holds, and its -hostname; always 1.", "node", "host")
            .WithLabels(host.PeerId.ToString(), hostname).Set(1);
    }

    /// <summary>Raised after every successful ping with the peer's updated figures.</summary>
    public event Action<PeerRtt>? Sampled;

    /// <summary>Current figures of every peer seen within the expiry window.</summary>
    public IReadOnlyCollection<PeerRtt> Snapshot() => _peers.Values.ToArray();

    /// <summary>The latest RTT to <paramref name="peer"/>; null when it has not answered a ping (or expired).</summary>
    public PeerRtt? Get(PeerId peer) => _peers.GetValueOrDefault(peer);

    /// <summary>Runs until cancelled; each tick starts one ping per peer that has none in flight.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        var pings = new List<Task>();
        try
        {
            do
            {
                pings.RemoveAll(t => t.IsCompleted);
                foreach (var peer in _host.ConnectedPeers)
                {
                    if (_inFlight.TryAdd(peer, 0))
                    {
                        pings.Add(PingAsync(peer, cancellationToken));
                    }
                }

                Expire();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(pings).ConfigureAwait(false);
    }

    private async Task PingAsync(PeerId peer, CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            var connection = _host.GetConnection(peer);
            if (connection is null)
            {
                return;
            }

            await using var client = await PingClient.OpenAsync(connection, deadline.Token).ConfigureAwait(false);
            var rtt = await client.PingAsync(deadline.Token).ConfigureAwait(false);
            Record(peer, rtt.TotalMilliseconds);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogPingFailed(_logger, peer, ex is OperationCanceledException ? $"no answer within {_options.Timeout.TotalMilliseconds:0} ms" : ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            _inFlight.TryRemove(peer, out _);
        }
    }

    private void Record(PeerId peer, double rttMs)
    {
        var now = _time.GetUtcNow();
        var updated = _peers.AddOrUpdate(
            peer,
            static (p, state) => new PeerRtt(p, state.rttMs, state.rttMs, state.now, 1),
            static (p, previous, state) => new PeerRtt(
                p, state.rttMs, (state.factor * state.rttMs) + ((1 - state.factor) * previous.EwmaMs), state.now, previous.Samples + 1),
            (rttMs, now, factor: _options.EwmaFactor));
        var target = peer.ToString();
        _rtt.WithLabels(target, _hostname).Set(updated.LastMs);
        _ewma.WithLabels(target, _hostname).Set(updated.EwmaMs);
        Sampled?.Invoke(updated);
    }

    /// <summary>Drops peers (and their series) unseen for the expiry window, as the original did.</summary>
    private void Expire()
    {
        var cutoff = _time.GetUtcNow() - _options.SeriesExpiry;
        foreach (var (peer, rtt) in _peers)
        {
            if (rtt.SeenAt < cutoff && _peers.TryRemove(new KeyValuePair<PeerId, PeerRtt>(peer, rtt)))
            {
                _rtt.RemoveLabelled(peer.ToString(), _hostname);
                _ewma.RemoveLabelled(peer.ToString(), _hostname);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "ping to {Peer} failed: {Reason}")]
    private static partial void LogPingFailed(ILogger logger, PeerId peer, string reason);
}
