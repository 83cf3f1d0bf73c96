using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace PhysarumSM.Grains.Tests;

/// <summary>Three in-process silos with the mesh grains and a shared manual mesh clock; shared by the cluster tests.</summary>
public sealed class MeshClusterFixture : IAsyncLifetime
{
    /// <summary>The configured stale timeout; tests move the clock past it instead of waiting.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    /// <summary>The configured removal timeout.</summary>
    public static readonly TimeSpan RemoveAfter = TimeSpan.FromMinutes(2);

    internal ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        var clock = Clock;
        builder.ConfigureHost(host => host.Services.AddKeyedSingleton<TimeProvider>(MeshGrainOptions.ClockServiceKey, clock));
        builder.ConfigureSilo((_, silo) => silo.AddPhysarumGrains(o =>
        {
            o.StaleAfter = StaleAfter;
            o.RemoveAfter = RemoveAfter;
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A grain factory that calls from inside one silo, as the node co-hosted with that silo does.</summary>
    public IGrainFactory SiloGrains(int index) =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[index].SiloAddress).GetRequiredService<IGrainFactory>();

    /// <summary>Polls until <paramref name="done"/> holds; the token is a failure guard only, never a measured time.</summary>
    public static async Task Eventually(Func<Task<bool>> done, string what)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await done())
        {
            try
            {
                await Task.Delay(50, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"gave up waiting: {what}");
            }
        }
    }
}

/// <summary>Tests that share the three-silo cluster run one after another (they move its shared clock).</summary>
[CollectionDefinition(Name)]
public sealed class MeshClusterCollection : ICollectionFixture<MeshClusterFixture>
{
    public const string Name = "mesh cluster";
}
