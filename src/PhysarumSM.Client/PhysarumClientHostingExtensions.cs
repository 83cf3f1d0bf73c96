using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PhysarumSM.Client.Hosting;
using PhysarumSM.Client.Mesh;

namespace PhysarumSM.Client;

/// <summary>Registers an Orleans client for the mesh and the <see cref="IPhysarumClient"/> facade over it.</summary>
public static class PhysarumClientHostingExtensions
{
    /// <summary>
    /// Adds the Orleans client (Redis or static-gateway clustering, cluster and service id "physarum" unless set) and a
    /// singleton <see cref="IPhysarumClient"/>. Options come from the builder's configuration section
    /// <see cref="PhysarumClientOptions.SectionName"/>, then <paramref name="configure"/>; they are checked now, so a bad
    /// value fails here with a message naming the key. The client connects when the host starts.
    /// </summary>
    /// <param name="builder">The application's host builder (console, worker or web).</param>
    /// <param name="configure">Changes applied after configuration binding (e.g. gateways from command-line flags).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the failures name each key.</exception>
    /// <exception cref="ArgumentException">A gateway host name cannot be resolved, or the cluster certificate file cannot be used (not PKCS#12, wrong password, no private key).</exception>
    public static IHostApplicationBuilder AddPhysarumClient(this IHostApplicationBuilder builder, Action<PhysarumClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPhysarumClient(builder.Configuration, configure);
        return builder;
    }

    /// <summary>
    /// Same as <see cref="AddPhysarumClient(IHostApplicationBuilder, Action{PhysarumClientOptions}?)"/> for a bare service
    /// collection: options from <paramref name="configuration"/>'s section <see cref="PhysarumClientOptions.SectionName"/>
    /// (when given), then <paramref name="configure"/>. Do not use it in a process that hosts a silo: Orleans allows one
    /// of the two per process (inject <see cref="IGrainFactory"/> there instead).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The application's configuration, or null to use <paramref name="configure"/> alone.</param>
    /// <param name="configure">Changes applied after configuration binding.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the failures name each key.</exception>
    /// <exception cref="ArgumentException">A gateway host name cannot be resolved, or the cluster certificate file cannot be used (not PKCS#12, wrong password, no private key).</exception>
    public static IServiceCollection AddPhysarumClient(this IServiceCollection services, IConfiguration? configuration = null, Action<PhysarumClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Why read the options now: the clustering provider (Redis or a gateway list) is chosen at registration.
        var options = Read(configuration, configure);
        services.AddOrleansClient(client => ClientClustering.Apply(client, options));
        return services.AddPhysarumClientFacade(configuration, configure);
    }

    /// <summary>The facade alone, over whatever <see cref="IGrainFactory"/> the container has (tests use a test cluster's client).</summary>
    internal static IServiceCollection AddPhysarumClientFacade(this IServiceCollection services, IConfiguration? configuration, Action<PhysarumClientOptions>? configure)
    {
        var options = services.AddOptions<PhysarumClientOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(PhysarumClientOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PhysarumClientOptions>, PhysarumClientOptionsValidator>());
        services.AddHttpClient(PhysarumClientOptions.HttpClientName);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MeshEntryLocator>();
        services.TryAddSingleton<IPhysarumClient, PhysarumClient>();
        return services;
    }

    /// <summary>Binds, configures and validates the options the way the options system will, for the registration-time choice.</summary>
    internal static PhysarumClientOptions Read(IConfiguration? configuration, Action<PhysarumClientOptions>? configure)
    {
        var options = new PhysarumClientOptions();
        configuration?.GetSection(PhysarumClientOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        var result = new PhysarumClientOptionsValidator().Validate(Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(PhysarumClientOptions), result.Failures)
            : options;
    }
}
