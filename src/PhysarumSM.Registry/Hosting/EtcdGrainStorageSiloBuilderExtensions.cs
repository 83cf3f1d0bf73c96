using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Registry.Hosting;

/// <summary>Registers an etcd grain storage by name, the way Orleans' own providers are registered.</summary>
public static class EtcdGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds grain storage <paramref name="name"/> in etcd, configured by <paramref name="configure"/> after the
    /// <see cref="EtcdStorageOptions.SectionName"/> configuration section; also registers its
    /// <see cref="EtcdStateStore"/> as a keyed singleton under <paramref name="name"/> for listings.
    /// </summary>
    public static ISiloBuilder AddEtcdGrainStorage(this ISiloBuilder builder, string name, Action<EtcdStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddEtcdGrainStorage(name, options => options.Configure(configure));
        return builder;
    }

    /// <inheritdoc cref="AddEtcdGrainStorage(ISiloBuilder, string, Action{EtcdStorageOptions})"/>
    public static ISiloBuilder AddEtcdGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<EtcdStorageOptions>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEtcdGrainStorage(name, configure);
        return builder;
    }

    /// <inheritdoc cref="AddEtcdGrainStorage(ISiloBuilder, string, Action{EtcdStorageOptions})"/>
    public static IServiceCollection AddEtcdGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<EtcdStorageOptions>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = services.AddOptions<EtcdStorageOptions>(name).BindConfiguration(EtcdStorageOptions.SectionName);
        configure?.Invoke(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EtcdStorageOptions>, EtcdStorageOptionsValidator>());
        services.AddKeyedSingleton(name, static (sp, key) => new EtcdStateStore(
            sp.GetRequiredService<IOptionsMonitor<EtcdStorageOptions>>().Get((string)key!),
            sp.GetRequiredService<ILogger<EtcdStateStore>>()));
        services.AddGrainStorage(name, static (sp, n) => new EtcdGrainStorage(
            n,
            sp.GetRequiredKeyedService<EtcdStateStore>(n),
            sp.GetRequiredService<ILogger<EtcdGrainStorage>>()));
        return services;
    }
}
