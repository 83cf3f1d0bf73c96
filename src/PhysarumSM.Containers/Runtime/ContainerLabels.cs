namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// The labels every instance container carries, and filters built from them. Why labels: they are the only state that
/// survives a node restart, so a restarted node finds (adopts or removes) exactly the containers its instances left.
/// </summary>
public static class ContainerLabels
{
    /// <summary>The service name (the registry's name, e.g. "hello-world").</summary>
    public const string Service = "physarum.service";

    /// <summary>The instance id (the instance grain's key, e.g. "hello-world/node-a/0").</summary>
    public const string Instance = "physarum.instance";

    /// <summary>The id of the node that runs the container.</summary>
    public const string Node = "physarum.node";

    /// <summary>The port the service listens on inside the container (SERVICE_PORT); read back to find the published host port when adopting.</summary>
    public const string ServicePort = "physarum.service-port";

    /// <summary>A filter matching every container of <paramref name="nodeId"/>.</summary>
    public static IReadOnlyDictionary<string, string> ForNode(string nodeId) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [Node] = nodeId };

    /// <summary>A filter matching the containers of <paramref name="serviceName"/> on <paramref name="nodeId"/>.</summary>
    public static IReadOnlyDictionary<string, string> ForService(string nodeId, string serviceName) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [Node] = nodeId, [Service] = serviceName };

    /// <summary>A filter matching the container(s) of one instance.</summary>
    public static IReadOnlyDictionary<string, string> ForInstance(string instanceId) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [Instance] = instanceId };
}
