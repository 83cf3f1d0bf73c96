namespace PhysarumSM.Contracts;

/// <summary>What a node does for the mesh; a flag set because one machine with no flags runs every role.</summary>
[GenerateSerializer, Alias("physarum.NodeRoles")]
[Flags]
public enum NodeRoles
{
    /// <summary>No role yet; a node that registers with this is only visible, never chosen for work.</summary>
    None = 0,

    /// <summary>Takes part in the libp2p overlay (bootstraps, pings, tunnels); every node has it.</summary>
    Overlay = 1,

    /// <summary>Holds service registrations (etcd member), so registry calls may be sent here.</summary>
    Registry = 2,

    /// <summary>Runs containers, so the service grain may place instances on this node.</summary>
    Allocator = 4,

    /// <summary>Accepts HTTP requests for services on the gateway port.</summary>
    Gateway = 8,

    /// <summary>Every role: the default of a node started with no flags.</summary>
    All = Overlay | Registry | Allocator | Gateway,
}
