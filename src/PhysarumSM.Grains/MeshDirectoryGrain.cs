using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Contracts;

namespace PhysarumSM.Grains;

/// <summary>
/// In-memory copies of every node and link record, stamped with this grain's clock when heard. Reads judge staleness
/// at call time (so they are exact and read-only); a timer only frees memory of removed entries. A node whose silo Orleans
/// membership has declared dead is stale at once: a killed node stops being given work within seconds, not after the
/// heartbeat timeout.
/// </summary>
internal sealed partial class MeshDirectoryGrain(
    IOptions<MeshGrainOptions> options,
    IClusterMembershipService membership,
    [FromKeyedServices(MeshGrainOptions.ClockServiceKey)] TimeProvider clock,
    ILogger<MeshDirectoryGrain> logger) : Grain, IMeshDirectoryGrain
{
    private readonly MeshGrainOptions _options = options.Value;
    private readonly Dictionary<string, Heard<NodeInfo>> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<PeerLinkKey, Heard<LinkSample>> _links = [];
    private DateTimeOffset _activeSince;
    private bool _heardStranger;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activeSince = clock.GetUtcNow();
        this.RegisterGrainTimer(
            static (self, _) => self.Sweep(),
            this,
            new GrainTimerCreationOptions(_options.SweepInterval, _options.SweepInterval));
        return Task.CompletedTask;
    }

    public Task NodeSeen(NodeInfo node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_nodes.ContainsKey(node.PeerId))
        {
            LogNodeAdded(node.PeerId, node.HostName);
        }

        _nodes[node.PeerId] = new(node, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task NodeGone(string peerId, DateTimeOffset lastHeartbeat, CancellationToken cancellationToken = default)
    {
        if (_nodes.TryGetValue(peerId, out var entry) && entry.Value.LastHeartbeat <= lastHeartbeat)
        {
            RemoveNode(peerId, "left");
        }

        return Task.CompletedTask;
    }

    public Task LinksSeen(ImmutableArray<LinkSample> samples, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        foreach (var sample in samples.IsDefault ? [] : samples)
        {
            var key = sample.Key;
            if (!_links.TryGetValue(key, out var known) || known.Value.SeenAt <= sample.SeenAt)
            {
                _links[key] = new(sample, now);
            }
        }

        return Task.CompletedTask;
    }

    public Task LinkGone(PeerLinkKey key, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        if (_links.TryGetValue(key, out var known) && known.Value.SeenAt <= seenAt)
        {
            _links.Remove(key);
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<MeshNode>> ListNodes(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(LiveNodes(now)
            .Select(e => new MeshNode { Info = e.Value, LastHeardAt = e.At, IsStale = now - e.At > _options.StaleAfter || SiloDead(e.Value) })
            .ToImmutableArray());
    }

    public Task<ImmutableArray<LinkSample>> ListLinks(string? from = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(_links
            .Where(l => !Expired(l.Value, now) && (from is null || string.Equals(l.Key.From, from, StringComparison.Ordinal)))
            .Select(l => l.Value.Value)
            .OrderBy(s => s.From, StringComparer.Ordinal)
            .ThenBy(s => s.To, StringComparer.Ordinal)
            .ToImmutableArray());
    }

    public Task NodeHeartbeat(NodeInfo node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        _heardStranger |= !_nodes.ContainsKey(node.PeerId);
        return NodeSeen(node, cancellationToken);
    }

    public Task<bool> IsRebuilding(CancellationToken cancellationToken = default) =>
        Task.FromResult(clock.GetUtcNow() - _activeSince < _options.RebuildWindow && (_heardStranger || _nodes.Count == 0));

    public Task<RttMatrix> GetRttMatrix(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var nodes = LiveNodes(now).Select(e => e.Value.PeerId).ToImmutableArray();
        var cells = ImmutableArray.CreateBuilder<LinkSample?>(nodes.Length * nodes.Length);
        foreach (var from in nodes)
        {
            foreach (var to in nodes)
            {
                cells.Add(_links.TryGetValue(new PeerLinkKey(from, to), out var link) && !Expired(link, now) ? link.Value : null);
            }
        }

        return Task.FromResult(new RttMatrix { Nodes = nodes, Cells = cells.MoveToImmutable(), AsOf = now });
    }

    // Only a silo the membership table lists as dead: an address it does not know (a test's made-up record, a node
    // from before the table was cleaned) is judged by heartbeats alone.
    private bool SiloDead(NodeInfo node) =>
        node.Silo is { } silo && membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Dead;

    private IEnumerable<Heard<NodeInfo>> LiveNodes(DateTimeOffset now) =>
        _nodes.Values.Where(e => !Expired(e, now)).OrderBy(e => e.Value.PeerId, StringComparer.Ordinal);

    private bool Expired<T>(Heard<T> entry, DateTimeOffset now) => now - entry.At > _options.RemoveAfter;

    private Task Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var peerId in _nodes.Where(e => Expired(e.Value, now)).Select(e => e.Key).ToList())
        {
            RemoveNode(peerId, "silent");
        }

        foreach (var key in _links.Where(l => Expired(l.Value, now)).Select(l => l.Key).ToList())
        {
            _links.Remove(key);
        }

        return Task.CompletedTask;
    }

    private void RemoveNode(string peerId, string why)
    {
        _nodes.Remove(peerId);
        foreach (var key in _links.Keys.Where(k => k.From == peerId || k.To == peerId).ToList())
        {
            _links.Remove(key);
        }

        LogNodeRemoved(peerId, why);
    }

    /// <summary>A copy of a record with the time this grain heard it, by its own clock.</summary>
    private readonly record struct Heard<T>(T Value, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh directory: node {PeerId} ({HostName}) added")]
    private partial void LogNodeAdded(string peerId, string hostName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh directory: node {PeerId} removed ({Why})")]
    private partial void LogNodeRemoved(string peerId, string why);
}
