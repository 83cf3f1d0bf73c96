namespace PhysarumSM.Node.Admin;

// The admin API's JSON shapes. Why separate records rather than the grain contracts: the API is a public, documented
// format (README "Dashboard and admin API") that must not change when a grain record gains a field.

/// <summary>Body of every refused or failed admin request.</summary>
internal sealed record AdminError(string Error);

/// <summary>GET /api/nodes.</summary>
internal sealed record NodesView(DateTimeOffset AsOf, string Self, IReadOnlyList<NodeView> Nodes);

/// <summary>One node: identity, roles, addresses, capacity, liveness and its URLs.</summary>
internal sealed record NodeView(
    string PeerId,
    string HostName,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Addresses,
    CapacityView? Capacity,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    DateTimeOffset LastHeardAt,
    string GatewayUrl,
    string AdminUrl,
    bool Stale,
    bool Self);

/// <summary>What a node offers instances and how much of it is reserved.</summary>
internal sealed record CapacityView(double CpuCores, double CpuReserved, long MemoryMiB, long MemoryReservedMiB, int MaxInstances, int Instances);

/// <summary>GET /api/services.</summary>
internal sealed record ServicesView(DateTimeOffset AsOf, IReadOnlyList<ServiceView> Services);

/// <summary>One registered service with its requirements (RTT in ms, CPU in cores, memory in MiB; 0 = none).</summary>
internal sealed record ServiceView(
    string Name,
    string Image,
    string ContentHash,
    int SoftRttMs,
    int HardRttMs,
    double CpuReq,
    long MemoryReq,
    long Version,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt);

/// <summary>GET /api/instances.</summary>
internal sealed record InstancesView(DateTimeOffset AsOf, IReadOnlyList<InstanceView> Instances);

/// <summary>One container a node runs: a running instance, or a paused warm-pool container (empty instance id).</summary>
internal sealed record InstanceView(
    string Service,
    string InstanceId,
    string Node,
    string NodeHostName,
    string ContainerId,
    string State,
    DateTimeOffset Since,
    DateTimeOffset? LastRequestAt,
    long Requests);

/// <summary>GET /api/rtt: <see cref="Cells"/>[row][column] is what the row node measured towards the column node.</summary>
internal sealed record RttView(DateTimeOffset AsOf, IReadOnlyList<RttNodeView> Nodes, IReadOnlyList<IReadOnlyList<RttCellView?>> Cells);

/// <summary>A row/column of the RTT matrix.</summary>
internal sealed record RttNodeView(string PeerId, string HostName);

/// <summary>One measured link in milliseconds.</summary>
internal sealed record RttCellView(double EwmaMs, double LastMs, long Samples, DateTimeOffset SeenAt);

/// <summary>GET /api/events: events after the asked sequence, oldest first.</summary>
internal sealed record EventsView(IReadOnlyList<EventView> Events, long Last, bool Missed);

/// <summary>One mesh event.</summary>
internal sealed record EventView(long Sequence, DateTimeOffset At, string Kind, string Service, string? InstanceId, string? NodeId, string Message);

/// <summary>Answer to a successful action.</summary>
internal sealed record ActionView(string Done, string Target);
