using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PhysarumSM.Grains;
using PhysarumSM.Grains.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Client.Tests.InProcess;

/// <summary>
/// Two in-process silos with the mesh grains and the registry in a real etcd (the catalog lists by an etcd range read),
/// no allocator. Tests build their own <see cref="IPhysarumClient"/> over the cluster's client with the options they need.
/// </summary>
public sealed class ClientClusterFixture : IAsyncLifetime
{
    private EtcdServer? _etcd;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _etcd = await EtcdServer.StartAsync(guard.Token);
        var endpoint = _etcd.ClientUrl;
        // One prefix for the whole cluster: every silo must see the same registry (a per-silo prefix made a listing
        // answered by the other silo miss what this one wrote).
        var prefix = "/client-tests-" + Guid.NewGuid().ToString("N")[..8];
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPhysarumGrains();
            silo.AddPhysarumRegistry(o =>
            {
                o.Endpoints = [endpoint];
                o.KeyPrefix = prefix;
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    /// <summary>
    /// The facade exactly as <c>AddPhysarumClient</c> registers it, over this cluster's client; HTTP goes to
    /// <paramref name="gateway"/> when given (a fake gateway: no sockets).
    /// </summary>
    public ServiceProvider NewClient(Action<PhysarumClientOptions>? configure = null, HttpMessageHandler? gateway = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(Cluster.Client);
        services.AddPhysarumClientFacade(null, o =>
        {
            o.EventPollInterval = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        if (gateway is not null)
        {
            services.AddHttpClient(PhysarumClientOptions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => gateway);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
}

/// <summary>The in-process tests share one cluster and one etcd; each uses names of its own.</summary>
[CollectionDefinition(Name)]
public sealed class ClientClusterCollection : ICollectionFixture<ClientClusterFixture>
{
    public const string Name = "client on an in-process cluster";
}
