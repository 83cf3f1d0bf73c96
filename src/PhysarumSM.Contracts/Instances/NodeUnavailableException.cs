namespace PhysarumSM.Contracts.Instances;

/// <summary>
/// The node named in an instance key has no live silo in the cluster (gone, not joined yet, or not an allocator).
/// Why its own type: the service grain catches it and places the instance on another node.
/// </summary>
[GenerateSerializer, Alias("physarum.NodeUnavailableException")]
public sealed class NodeUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="nodeId"/> with a message saying why.</summary>
    public NodeUnavailableException(string nodeId, string message) : base(message)
    {
        NodeId = nodeId;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public NodeUnavailableException(string message) : this("", message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NodeUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public NodeUnavailableException() : this("the node is not available") { }

    /// <summary>The unavailable node's peer ID (empty when unknown).</summary>
    [Id(0)]
    public string NodeId { get; private set; } = "";
}
