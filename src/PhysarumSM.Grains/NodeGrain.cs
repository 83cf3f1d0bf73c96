using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using PhysarumSM.Contracts;

namespace PhysarumSM.Grains;

/// <summary>
/// In-memory record of one node. Prefer-local and immovable: the node's own first call activates it on the node's silo,
/// so it lives and dies with that silo, and rebalancing never carries it away.
/// </summary>
[PreferLocalPlacement, Immovable]
internal sealed partial class NodeGrain(
    ILocalSiloDetails localSilo,
    [FromKeyedServices(MeshGrainOptions.ClockServiceKey)] TimeProvider clock,
    ILogger<NodeGrain> logger) : Grain, INodeGrain
{
    private NodeInfo? _info;

    private string PeerId => this.GetPrimaryKeyString();

    public async Task<NodeInfo> Register(NodeInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!string.Equals(info.PeerId, PeerId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"node record of '{info.PeerId}' sent to the node grain of '{PeerId}'", nameof(info));
        }

        var stored = info with { Silo = info.Silo ?? localSilo.SiloAddress, LastHeartbeat = clock.GetUtcNow() };
        if (_info is null)
        {
            LogRegistered(PeerId, stored.HostName, stored.Roles, stored.Silo);
        }

        _info = stored;
        await GrainFactory.GetMeshDirectory().NodeSeen(stored, cancellationToken);
        return stored;
    }

    public async Task<NodeInfo?> Heartbeat(CancellationToken cancellationToken = default)
    {
        if (_info is null)
        {
            // Don't keep an empty activation: the node's Register should activate the grain on the node's own silo.
            DeactivateOnIdle();
            return null;
        }

        _info = _info with { LastHeartbeat = clock.GetUtcNow() };
        await GrainFactory.GetMeshDirectory().NodeHeartbeat(_info, cancellationToken);
        return _info;
    }

    public Task<NodeInfo?> Get(CancellationToken cancellationToken = default)
    {
        if (_info is null)
        {
            // A lookup of an unknown node must not pin the grain to the caller's silo (prefer-local).
            DeactivateOnIdle();
        }

        return Task.FromResult(_info);
    }

    public async Task MarkGone(CancellationToken cancellationToken = default)
    {
        if (_info is { } last)
        {
            _info = null;
            LogGone(PeerId);
            await GrainFactory.GetMeshDirectory().NodeGone(PeerId, last.LastHeartbeat, cancellationToken);
        }

        DeactivateOnIdle();
    }

    public async Task ReportLinks(ImmutableArray<LinkSample> samples, CancellationToken cancellationToken = default)
    {
        if (samples.IsDefaultOrEmpty)
        {
            return;
        }

        foreach (var sample in samples)
        {
            LinkSampleRules.Validate(sample);
            if (!string.Equals(sample.From, PeerId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"node '{PeerId}' may only report its own links, not {sample.Key}", nameof(samples));
            }
        }

        var stored = await Task.WhenAll(samples.Select(s => GrainFactory.GetPeerLinkGrain(s.From, s.To).Report(s, cancellationToken)));
        var accepted = samples.Where((_, i) => stored[i]).ToImmutableArray();
        if (accepted.Length > 0)
        {
            await GrainFactory.GetMeshDirectory().LinksSeen(accepted, cancellationToken);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Idle collection (the node stopped heartbeating) or the node's silo shutting down both mean the node is gone.
        // Not so for an activation that ended up on another node's silo (a lookup raced the node's own registration):
        // that silo stopping says nothing about this node, which re-registers on its next heartbeat. Nor for the
        // runtime's own replacements of an activation (see DeactivationReasons).
        if (_info is not { } last)
        {
            return;
        }

        if (!DeactivationReasons.MeansGone(reason.ReasonCode) || last.Silo is not null && !last.Silo.Equals(localSilo.SiloAddress))
        {
            LogNotGone(PeerId, reason.ReasonCode);
            return;
        }

        try
        {
            await GrainFactory.GetMeshDirectory().NodeGone(PeerId, last.LastHeartbeat, cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort: the directory's own stale timeout removes the node anyway.
            LogDirectoryUnreachable(PeerId, reason.ReasonCode, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {PeerId} ({HostName}, {Roles}) registered on silo {Silo}")]
    private partial void LogRegistered(string peerId, string hostName, NodeRoles roles, SiloAddress? silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {PeerId}: an activation deactivates ({Reason}) without the node leaving; the directory keeps it")]
    private partial void LogNotGone(string peerId, DeactivationReasonCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {PeerId} marked gone")]
    private partial void LogGone(string peerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {PeerId} deactivating ({Reason}) could not tell the mesh directory; it will expire there")]
    private partial void LogDirectoryUnreachable(string peerId, DeactivationReasonCode reason, Exception exception);
}
