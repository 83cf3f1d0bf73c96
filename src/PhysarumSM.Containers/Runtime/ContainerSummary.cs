namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// One container as the engine lists it. Why: adoption and the warm pool decide from state and labels alone,
/// without inspecting each container.
/// </summary>
public record ContainerSummary
{
    /// <summary>The engine's container id.</summary>
    public required string Id { get; init; }

    /// <summary>The container's name, without the leading slash.</summary>
    public required string Name { get; init; }

    /// <summary>The image reference it was created from.</summary>
    public required string Image { get; init; }

    /// <summary>Its lifecycle state.</summary>
    public required ContainerRunState State { get; init; }

    /// <summary>All of its labels.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The published host port of SERVICE_PORT; null when not published (e.g. exited).</summary>
    public int? HostPort { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Service name (label physarum.service); empty when missing.</summary>
    public string ServiceName => Labels.GetValueOrDefault(ContainerLabels.Service, "");

    /// <summary>Instance id (label physarum.instance); empty when missing.</summary>
    public string InstanceId => Labels.GetValueOrDefault(ContainerLabels.Instance, "");

    /// <summary>Node id (label physarum.node); empty when missing.</summary>
    public string NodeId => Labels.GetValueOrDefault(ContainerLabels.Node, "");
}
