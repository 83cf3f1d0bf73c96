namespace PhysarumSM.Node.Registry;

/// <summary>
/// Recognises Orleans' answer to a registry grain call when no silo of the cluster hosts the registry grains (no node
/// was started with etcd), so callers can say that instead of a bare 500.
/// </summary>
internal static class NoRegistryInMesh
{
    /// <summary>What to tell the user.</summary>
    public const string Message = "no node of the mesh runs the registry (start one with -new-etcd-cluster, -etcd-ip or -etcd-endpoints)";

    private const string NoImplementation = "Could not find an implementation for interface";

    /// <summary>True when <paramref name="exception"/> is Orleans saying no silo implements the called grain interface.</summary>
    public static bool Is(Exception exception) =>
        exception is ArgumentException && exception.Message.StartsWith(NoImplementation, StringComparison.Ordinal);
}
