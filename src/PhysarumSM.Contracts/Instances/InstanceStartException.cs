namespace PhysarumSM.Contracts.Instances;

/// <summary>
/// An instance could not be started on its node: service not registered, image missing, container exited or never
/// answered. Why its own type: the service grain tries another node on it, and the message (with the container's last
/// log lines) tells an operator what went wrong. Nothing is left running.
/// </summary>
[GenerateSerializer, Alias("physarum.InstanceStartException")]
public sealed class InstanceStartException : Exception
{
    /// <summary>Creates the exception for <paramref name="instanceId"/> with a message saying why.</summary>
    public InstanceStartException(string instanceId, string message) : base(message)
    {
        InstanceId = instanceId;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public InstanceStartException(string message) : this("", message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public InstanceStartException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public InstanceStartException() : this("the instance did not start") { }

    /// <summary>The instance key (empty when unknown).</summary>
    [Id(0)]
    public string InstanceId { get; private set; } = "";
}
