namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// A resolve found nothing to use while the mesh was still recovering from a node failure (the directory was re-created
/// moments ago and nodes are still reporting in). Why its own type: unlike <see cref="NoInstanceWithinRequirementException"/>
/// it is transient, so a gateway waits and resolves again instead of answering 503.
/// </summary>
[GenerateSerializer, Alias("physarum.MeshRebuildingException")]
public sealed class MeshRebuildingException : Exception
{
    /// <summary>Creates the exception with a message saying what was missing.</summary>
    public MeshRebuildingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MeshRebuildingException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public MeshRebuildingException() : this("the mesh is recovering from a node failure; retry shortly") { }
}
