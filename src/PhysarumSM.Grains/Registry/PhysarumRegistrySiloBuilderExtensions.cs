using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using PhysarumSM.Registry.Cluster;
using PhysarumSM.Registry.Hosting;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Grains.Registry;

/// <summary>Gives a silo the service registry in etcd; without it the registry grains answer "no registry configured".</summary>
public static class PhysarumRegistrySiloBuilderExtensions
{
    /// <summary>
    /// Persists the registry grains in etcd: storage <see cref="RegistryStorage.StorageName"/> over the etcd storage
    /// <see cref="RegistryStorage.EtcdStorageName"/>, configured from <see cref="EtcdStorageOptions.SectionName"/> then
    /// <paramref name="configure"/>. Call on every silo, with the same endpoints. Also registers an
    /// <see cref="EtcdMembership"/> on those endpoints, for the node's <c>/physarum/memberadd/1.0.0</c> handler.
    /// </summary>
    public static ISiloBuilder AddPhysarumRegistry(this ISiloBuilder builder, Action<EtcdStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddPhysarumRegistry(options => options.Configure(configure));
    }

    /// <inheritdoc cref="AddPhysarumRegistry(ISiloBuilder, Action{EtcdStorageOptions})"/>
    public static ISiloBuilder AddPhysarumRegistry(this ISiloBuilder builder, Action<OptionsBuilder<EtcdStorageOptions>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddEtcdGrainStorage(RegistryStorage.EtcdStorageName, configure);
        services.AddKeyedSingleton<IGrainStorage>(RegistryStorage.StorageName, static (sp, _) =>
            new RegistryGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(RegistryStorage.EtcdStorageName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new EtcdMembership(
            sp.GetRequiredService<IOptionsMonitor<EtcdStorageOptions>>().Get(RegistryStorage.EtcdStorageName),
            sp.GetRequiredService<ILogger<EtcdMembership>>()));
        return builder;
    }

    /// <summary>
    /// Keeps the registry grains off this silo (it has no etcd), so placement puts them on silos that have one.
    /// Why not just fail there: in a mesh where only some nodes run etcd, a service grain placed on a node
    /// without it would refuse every call.
    /// </summary>
    public static ISiloBuilder WithoutRegistryGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.PostConfigure<Orleans.Configuration.GrainTypeOptions>(options =>
        {
            options.Classes.Remove(typeof(ServiceGrain));
            options.Classes.Remove(typeof(ServiceCatalogGrain));
        });
        return builder;
    }

    /// <summary>The registry of a silo without etcd: registry calls fail with a clear RegistryUnavailableException.</summary>
    internal static IServiceCollection AddUnconfiguredRegistry(this IServiceCollection services)
    {
        services.TryAddKeyedSingleton<IGrainStorage>(RegistryStorage.StorageName, static (_, _) => new UnconfiguredRegistryStorage());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
