using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PhysarumSM.Grains.Registry;

namespace PhysarumSM.Grains;

/// <summary>Registers the mesh grains' services on a silo; the grain classes themselves are found by Orleans' code generation.</summary>
public static class PhysarumGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Adds what the node, link and mesh directory grains need: <see cref="MeshGrainOptions"/> bound from
    /// <see cref="MeshGrainOptions.SectionName"/> then <paramref name="configure"/>, validated at start, and the mesh clock.
    /// Call on every silo.
    /// </summary>
    public static ISiloBuilder AddPhysarumGrains(this ISiloBuilder builder, Action<MeshGrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<MeshGrainOptions>().BindConfiguration(MeshGrainOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MeshGrainOptions>, MeshGrainOptionsValidator>());
        services.TryAddKeyedSingleton(MeshGrainOptions.ClockServiceKey, TimeProvider.System);
        services.AddUnconfiguredRegistry();   // replaced by AddPhysarumRegistry on silos that have etcd
        return builder;
    }
}
