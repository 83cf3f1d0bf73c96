namespace PhysarumSM.Grains.Registry;

/// <summary>The registry's storage names and key layout, in one place so grains, catalog and registration agree.</summary>
public static class RegistryStorage
{
    /// <summary>The storage the registry grains persist to (<c>[PersistentState(..., "registry")]</c>).</summary>
    public const string StorageName = "registry";

    /// <summary>The etcd storage behind <see cref="StorageName"/>; also the key of its keyed <c>EtcdStateStore</c>.</summary>
    public const string EtcdStorageName = "registry-etcd";

    /// <summary>The service grain's type, hence its etcd key segment: services live at <c>/physarum/services/&lt;name&gt;</c>.</summary>
    public const string ServicesGrainType = "services";

    /// <summary>What every registry call says on a cluster without a registry.</summary>
    public const string NotConfiguredMessage =
        "no registry configured on this cluster: start a node with -new-etcd-cluster or -etcd-endpoints";
}
