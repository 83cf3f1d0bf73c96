namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// A started (or adopted) instance container and where the node reaches it. Why a record: the instance grain keeps
/// it as its state, and the gateway only needs the loopback address.
/// </summary>
/// <param name="Id">The engine's container id.</param>
/// <param name="Name">The container's name (without the leading slash).</param>
/// <param name="Image">The image reference it was started from.</param>
/// <param name="HostPort">The host port SERVICE_PORT is published on.</param>
/// <param name="ServicePort">SERVICE_PORT inside the container.</param>
/// <param name="Labels">All of its labels (the physarum.* identity ones included).</param>
/// <param name="StartedAt">When the engine started it.</param>
/// <param name="NetworkAddress">Its IPv4 address on the Docker network when it has one (see <see cref="ContainerDetails.NetworkAddress"/>).</param>
public sealed record RunningContainer(
    string Id,
    string Name,
    string Image,
    int HostPort,
    int ServicePort,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset StartedAt,
    string? NetworkAddress = null)
{
    /// <summary>Service name (label physarum.service).</summary>
    public string ServiceName => Labels.GetValueOrDefault(ContainerLabels.Service, "");

    /// <summary>Instance id (label physarum.instance).</summary>
    public string InstanceId => Labels.GetValueOrDefault(ContainerLabels.Instance, "");

    /// <summary>Node id (label physarum.node).</summary>
    public string NodeId => Labels.GetValueOrDefault(ContainerLabels.Node, "");

    /// <summary>The port this container was published on, as a loopback URL base (http://127.0.0.1:port/).</summary>
    public Uri LoopbackAddress(string hostAddress = ContainerRuntimeOptions.DefaultHostAddress) => new($"http://{hostAddress}:{HostPort}/");
}
