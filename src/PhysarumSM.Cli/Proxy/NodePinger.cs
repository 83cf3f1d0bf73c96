using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols.Ping;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// Pings every connected node once a second (1 s deadline, as the node's ping monitor) into <see cref="NodeRtts"/>, and
/// forgets a node's RTT when its connection closes, so a node that went away ranks last and its routes age out.
/// </summary>
internal sealed partial class NodePinger(Libp2pHost host, NodeRtts rtts, ILogger<NodePinger> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<PeerId, byte> _inFlight = new();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        host.PeerDisconnected += OnPeerDisconnected;
        var pings = new List<Task>();
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                pings.RemoveAll(t => t.IsCompleted);
                foreach (var node in host.ConnectedPeers)
                {
                    // One ping per node at a time: a slow node must not pile up streams.
                    if (_inFlight.TryAdd(node, 0))
                    {
                        pings.Add(PingAsync(node, stoppingToken));
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            host.PeerDisconnected -= OnPeerDisconnected;
        }

        await Task.WhenAll(pings).ConfigureAwait(false);
    }

    private async Task PingAsync(PeerId node, CancellationToken stoppingToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(Deadline);
            // Over the live connection only (not host.PingAsync): a ping must not redial a node that just went away.
            if (host.GetConnection(node) is not { } connection)
            {
                return;
            }

            await using var client = await PingClient.OpenAsync(connection, deadline.Token).ConfigureAwait(false);
            var rtt = await client.PingAsync(deadline.Token).ConfigureAwait(false);
            rtts.Record(node, rtt.TotalMilliseconds);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogPingFailed(node, ex is OperationCanceledException ? $"no answer within {Deadline.TotalMilliseconds:0} ms" : ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            _inFlight.TryRemove(node, out _);
        }
    }

    private void OnPeerDisconnected(object? sender, PeerConnectionEventArgs e)
    {
        rtts.Forget(e.Peer);
        LogNodeGone(e.Peer);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy: ping to {Node} failed: {Reason}")]
    private partial void LogPingFailed(PeerId node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy: connection to node {Node} closed")]
    private partial void LogNodeGone(PeerId node);
}
