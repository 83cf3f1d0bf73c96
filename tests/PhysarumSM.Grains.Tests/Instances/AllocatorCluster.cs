using Orleans.TestingHost;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Grains.Instances;
using PhysarumSM.Grains.Registry;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>
/// An in-process cluster whose silos are allocator nodes on the real Docker engine: silo <c>Silo_i</c> is node
/// <c>{prefix}-{i}</c>, the registry lives in memory, and every container carries the run label for cleanup.
/// </summary>
internal static class AllocatorCluster
{
    /// <summary>Starts the cluster; the warm pool is off unless <paramref name="configure"/> turns it on, so a cull removes at once.</summary>
    public static async Task<InProcessTestCluster> StartAsync(
        short silos, string nodePrefix, string runLabel, string runId, TimeSpan idleTimeout, Action<AllocatorOptions>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((siloOptions, silo) =>
        {
            silo.AddPhysarumGrains();
            silo.AddMemoryGrainStorage(RegistryStorage.StorageName);
            silo.UseSystemTextJsonGrainStorageSerializer();   // as the etcd storage: Newtonsoft cannot read a ServiceInfo back
            silo.AddPhysarumNode(NodeId(nodePrefix, siloOptions.SiloName));
            silo.AddPhysarumAllocator(o =>
            {
                o.IdleTimeout = idleTimeout;
                o.Labels[runLabel] = runId;
                o.WarmPoolTtl = TimeSpan.Zero;
                configure?.Invoke(o);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The node id of the silo named <paramref name="siloName"/> ("Silo_1" ⇒ "{prefix}-1").</summary>
    public static string NodeId(string nodePrefix, string siloName) => $"{nodePrefix}-{siloName["Silo_".Length..]}";

    public static Task<ServiceRecord> RegisterAsync(IGrainFactory grains, string name, string image) =>
        grains.GetGrain<IServiceGrain>(name).Register(new ServiceInfo { Name = name, DockerHash = image, CpuReq = 0.5, MemoryReq = 64 });
}
