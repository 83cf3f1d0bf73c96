namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// No instance and no live allocator node is within a service's hard RTT requirement from the requesting node. Why its
/// own type: routing there would break the service's contract, so the caller must fail the request, not retry elsewhere.
/// </summary>
[GenerateSerializer, Alias("physarum.NoInstanceWithinRequirementException")]
public sealed class NoInstanceWithinRequirementException : Exception
{
    /// <summary>Creates the exception with a message naming the service, the requesting node and the requirement.</summary>
    public NoInstanceWithinRequirementException(string service, string fromNode, int hardRttMs, string message) : base(message)
    {
        Service = service;
        FromNode = fromNode;
        HardRttMs = hardRttMs;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public NoInstanceWithinRequirementException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NoInstanceWithinRequirementException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public NoInstanceWithinRequirementException() : this("no instance is within the service's RTT requirement") { }

    /// <summary>The service that was resolved (empty when unknown).</summary>
    [Id(0)]
    public string Service { get; private set; } = "";

    /// <summary>The node the request arrived at (empty when unknown).</summary>
    [Id(1)]
    public string FromNode { get; private set; } = "";

    /// <summary>The hard RTT requirement in milliseconds that nothing met (0 when unknown).</summary>
    [Id(2)]
    public int HardRttMs { get; private set; }
}
