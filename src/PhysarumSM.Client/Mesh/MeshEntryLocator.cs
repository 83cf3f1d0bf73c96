using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Client.Hosting;
using PhysarumSM.Contracts;

namespace PhysarumSM.Client.Mesh;

/// <summary>
/// Finds and caches the <see cref="MeshEntry"/>: options first (no grain call when both are set), else the mesh
/// directory plus the membership table (to tell which node owns the configured Orleans gateway). Cached for
/// <see cref="CacheFor"/>, and dropped at once when the gateway stops answering, so a restarted node is found again.
/// </summary>
internal sealed partial class MeshEntryLocator(
    IGrainFactory grains, IOptions<PhysarumClientOptions> options, TimeProvider clock, ILogger<MeshEntryLocator> logger)
{
    /// <summary>How long a found entry is reused: node lists change on the scale of heartbeats, not requests.</summary>
    internal static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private (MeshEntry Entry, DateTimeOffset Until)? _cached;

    /// <summary>The entry; parts that cannot be found are null (callers throw with what to set).</summary>
    public async Task<MeshEntry> LocateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var fromNode = string.IsNullOrWhiteSpace(settings.FromNode) ? null : settings.FromNode.Trim();
        var gatewayUrl = string.IsNullOrWhiteSpace(settings.GatewayUrl) ? null : MeshEntryChoice.WithTrailingSlash(new Uri(settings.GatewayUrl.Trim()));
        if (fromNode is not null && gatewayUrl is not null)
        {
            return new MeshEntry(fromNode, gatewayUrl);
        }

        lock (_gate)
        {
            if (_cached is { } cached && clock.GetUtcNow() < cached.Until)
            {
                return cached.Entry;
            }
        }

        var nodes = await grains.GetMeshDirectory().ListNodes(cancellationToken).ConfigureAwait(false);
        var silos = settings.UsesRedis ? [] : await GatewaySilosAsync(settings, cancellationToken).ConfigureAwait(false);
        var entry = MeshEntryChoice.Choose(nodes, silos, LocalAddresses.Contains, fromNode, gatewayUrl);
        LogEntry(logger, entry.FromNode ?? "(none)", entry.Gateway?.ToString() ?? "(none)", nodes.Length);
        if (entry.IsComplete)
        {
            lock (_gate)
            {
                _cached = (entry, clock.GetUtcNow() + CacheFor);
            }
        }

        return entry;
    }

    /// <summary>Drops the cached entry (its gateway did not answer), so the next call reads the mesh again.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _cached = null;
        }
    }

    /// <summary>
    /// The silo endpoints behind the configured gateways, from the membership table's gateway ports. Why: the mesh
    /// directory knows each node's silo but not its gateway port. Best effort: without it the local rule still applies.
    /// </summary>
    private async Task<IReadOnlyList<IPEndPoint>> GatewaySilosAsync(PhysarumClientOptions settings, CancellationToken cancellationToken)
    {
        MembershipEntry[] hosts;
        try
        {
            hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMembershipUnread(logger, ex.Message);
            return [];
        }

        var silos = new List<IPEndPoint>();
        foreach (var text in settings.EffectiveGateways)
        {
            if (!GatewayEndpoint.TryParse(text, out var gateway))
            {
                continue;
            }

            IPEndPoint resolved;
            try
            {
                resolved = gateway.Resolve();
            }
            catch (ArgumentException)
            {
                continue;   // the Orleans client could not use it either
            }

            // A loopback gateway reaches a node on this machine, whatever address its silo advertises (Redis clustering).
            var loopback = IPAddress.IsLoopback(resolved.Address);
            var match = hosts.FirstOrDefault(h => h.ProxyPort == resolved.Port
                && (h.SiloAddress.Endpoint.Address.Equals(resolved.Address) || (loopback && LocalAddresses.Contains(h.SiloAddress.Endpoint.Address))));
            if (match is not null)
            {
                silos.Add(match.SiloAddress.Endpoint);
            }
        }

        return silos;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh entry: resolving from {FromNode}, gateway {Gateway} ({Nodes} nodes listed)")]
    private static partial void LogEntry(ILogger logger, string fromNode, string gateway, int nodes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership table not read ({Reason}); choosing the entry node without it")]
    private static partial void LogMembershipUnread(ILogger logger, string reason);
}
