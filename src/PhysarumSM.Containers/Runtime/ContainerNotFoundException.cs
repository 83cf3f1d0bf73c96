namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// The engine has no container with the given id (removed from outside, or never created). Why its own type: the
/// instance grain treats it as "the instance is gone" rather than as an engine failure.
/// </summary>
public sealed class ContainerNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="containerId"/> with the engine's error as the cause.</summary>
    public ContainerNotFoundException(string containerId, string message, Exception? innerException)
        : base(message, innerException)
    {
        ContainerId = containerId;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public ContainerNotFoundException(string message)
        : base(message)
    {
        ContainerId = "";
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ContainerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        ContainerId = "";
    }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public ContainerNotFoundException()
        : this("no such container")
    {
    }

    /// <summary>The id that was not found (empty when unknown).</summary>
    public string ContainerId { get; }

    internal static ContainerNotFoundException For(string containerId, Exception? innerException) =>
        new(containerId, $"no container {containerId} in the engine (removed from outside?)", innerException);
}
