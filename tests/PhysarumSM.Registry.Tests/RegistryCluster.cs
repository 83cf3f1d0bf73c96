using Orleans.TestingHost;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Grains;
using PhysarumSM.Grains.Registry;

namespace PhysarumSM.Registry.Tests;

/// <summary>An in-process Orleans cluster whose registry grains persist in the given etcd under the given prefix.</summary>
internal static class RegistryCluster
{
    public static async Task<InProcessTestCluster> StartAsync(string? endpoint, string keyPrefix, int silos = 2, TimeSpan? timeout = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPhysarumGrains();
            if (endpoint is not null)
            {
                silo.AddPhysarumRegistry(o =>
                {
                    o.Endpoints = [endpoint];
                    o.KeyPrefix = keyPrefix;
                    o.OperationTimeout = timeout ?? o.OperationTimeout;
                    o.ConnectTimeout = TimeSpan.FromSeconds(1);
                });
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static ServiceInfo Service(string name, long counter = 0) => new()
    {
        Name = name,
        DockerHash = "sha256:" + new string('a', 64),
        ContentHash = "content",
        SoftRttMs = 20,
        HardRttMs = 100,
        CpuReq = 0.5,
        MemoryReq = counter,   // tests use it as a counter to detect lost writes
    };

    public static string NewName() => "svc-" + Guid.NewGuid().ToString("N")[..10];
}
