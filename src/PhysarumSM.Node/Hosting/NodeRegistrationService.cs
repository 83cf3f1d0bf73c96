using System.Collections.Immutable;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Contracts;
using PhysarumSM.Grains.Instances;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Monitoring;

namespace PhysarumSM.Node.Hosting;

/// <summary>
/// Publishes this node to the control plane: registers its <see cref="INodeGrain"/>, then heartbeats and
/// sends the ping monitor's latest RTTs as one batch per period. Why batched: a link grain is written at
/// most once per period instead of once per ping (every second, to every peer).
/// </summary>
internal sealed partial class NodeRegistrationService(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    Libp2pHost host,
    PingMonitor monitor,
    NodeOptions options,
    NodeRoleSet roles,
    IServiceProvider services,
    ILogger<NodeRegistrationService> logger) : BackgroundService
{
    /// <summary>How often the node heartbeats and reports its links.</summary>
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often the node looks, in its own memory, for an instance that started, stopped, paused or resumed, or a change
    /// of capacity, and re-registers at once when one did. Why between reports: `physarum status`, the dashboard and
    /// resolution's capacity check would otherwise lag a start or a cull by up to a whole report period. Request counters
    /// alone wait for the next report, so traffic never turns into a registration per check.
    /// </summary>
    public static readonly TimeSpan ChangeCheckPeriod = TimeSpan.FromMilliseconds(500);

    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private DateTimeOffset _lastReported = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = grains.GetNodeGrain(host.PeerId.ToString());
        var capacity = services.GetService<IAllocatorCapacity>();
        // Without an allocator nothing changes between reports, so there is nothing to check for.
        using var timer = new PeriodicTimer(capacity is null ? ReportPeriod : ChangeCheckPeriod);
        var checksPerReport = capacity is null ? 1 : (int)(ReportPeriod / ChangeCheckPeriod);
        var check = 0;
        var registered = false;
        NodeCapacity? published = null;
        ImmutableArray<InstanceSummary> publishedInstances = [];
        do
        {
            var report = check++ % checksPerReport == 0;
            try
            {
                // Capacity and instances change as instances start, serve and stop: re-register when they did, so the
                // directory (which Resolve and the dashboard read) is current; otherwise a plain heartbeat. Between reports
                // only a new, gone, paused or resumed container or a capacity change is worth a registration.
                var instances = capacity?.Instances ?? [];
                var current = capacity?.Current;
                var reshaped = !registered || !Equals(current, published) || !SameContainers(instances, publishedInstances);
                if (!report && !reshaped)
                {
                    continue;
                }

                if (reshaped || !instances.AsSpan().SequenceEqual(publishedInstances.AsSpan()))
                {
                    await node.Register(Describe() with { Capacity = current, Instances = instances }, stoppingToken).ConfigureAwait(false);
                    // Only once it landed: a failed registration stays "changed", so the next check tries again.
                    published = current;
                    publishedInstances = instances;
                    registered = true;
                }
                else if (await node.Heartbeat(stoppingToken).ConfigureAwait(false) is null)
                {
                    registered = false; // the grain lost us (e.g. reactivated elsewhere): register again
                    continue;
                }

                if (!report)
                {
                    continue;
                }

                await ReportLinksAsync(node, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogReportFailed(logger, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));

        try
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await node.MarkGone(shutdown.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogReportFailed(logger, $"could not mark the node gone: {ex.Message}");
        }
    }

    // The same containers in the same states; request counters and last-request times may differ.
    private static bool SameContainers(ImmutableArray<InstanceSummary> now, ImmutableArray<InstanceSummary> published) =>
        now.Length == published.Length
        && now.Zip(published).All(p => p.First.InstanceId == p.Second.InstanceId && p.First.ContainerId == p.Second.ContainerId && p.First.Paused == p.Second.Paused);

    private async Task ReportLinksAsync(INodeGrain node, CancellationToken cancellationToken)
    {
        var from = host.PeerId.ToString();
        var fresh = monitor.Snapshot()
            .Where(r => r.SeenAt > _lastReported)
            .Select(r => new LinkSample
            {
                From = from,
                To = r.Peer.ToString(),
                LastRttMs = r.LastMs,
                EwmaRttMs = r.EwmaMs,
                SampleCount = r.Samples,
                SeenAt = r.SeenAt,
            })
            .ToImmutableArray();
        if (fresh.Length == 0)
        {
            return;
        }

        await node.ReportLinks(fresh, cancellationToken).ConfigureAwait(false);
        _lastReported = fresh.Max(s => s.SeenAt);
    }

    private NodeInfo Describe() => new()
    {
        PeerId = host.PeerId.ToString(),
        HostName = options.Hostname,
        Roles = NodeRoles.Overlay | NodeRoles.Gateway // every node serves /{service}/{path} on -proxy-listen-addr
            | (options.EtcdIp is not null || options.EtcdEndpoints is not null ? NodeRoles.Registry : NodeRoles.None)
            | (roles.Allocator ? NodeRoles.Allocator : NodeRoles.None),
        Addresses = host.ListenAddresses.Select(a => a.WithPeerId(host.PeerId).ToString()).ToImmutableArray(),
        Silo = silo.SiloAddress,
        StartedAt = _startedAt,
        LastHeartbeat = DateTimeOffset.UtcNow,
        GatewayUrl = LocalUrl(options.ProxyListenAddress, "-proxy-listen-addr"),
        AdminUrl = options.AdminListenAddress.Equals(NodeCommandLine.AdminListenOff, StringComparison.OrdinalIgnoreCase)
            ? "" : LocalUrl(options.AdminListenAddress, "-admin-listen-addr"),
    };

    // What a client on this machine dials: a wildcard listen address is reached on loopback.
    private static string LocalUrl(string listen, string flag)
    {
        var (hostPart, port) = NodeCommandLine.SplitHostPort(listen, flag);
        var reachable = hostPart is "0.0.0.0" or "::" or "" ? "127.0.0.1" : hostPart;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://{reachable}:{port}/");
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "control-plane report failed: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}

/// <summary>Roles decided at startup that are not plain flags (the allocator depends on a reachable Docker engine).</summary>
internal sealed record NodeRoleSet(bool Allocator);
