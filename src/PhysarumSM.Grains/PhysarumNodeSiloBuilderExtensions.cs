using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Contracts.Instances;
using PhysarumSM.Grains.Instances;
using PhysarumSM.Grains.Placement;
using Prometheus;

namespace PhysarumSM.Grains;

/// <summary>Makes a silo a mesh node (placement by node id) and, optionally, an allocator that runs service instances.</summary>
public static class PhysarumNodeSiloBuilderExtensions
{
    /// <summary>
    /// Tells the silo which node it is: registers <see cref="ILocalNode"/>, publishes <paramref name="peerId"/> as silo metadata
    /// (key <c>physarum.node</c>, through <c>UseSiloMetadata</c>: do not call that again on this silo) and the node-pinned
    /// placement director. Call on every silo, with each node's own peer ID. A silo without
    /// <see cref="AddPhysarumAllocator(ISiloBuilder, Action{AllocatorOptions}?)"/> never hosts instance grains.
    /// </summary>
    public static ISiloBuilder AddPhysarumNode(this ISiloBuilder builder, string peerId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(peerId) || peerId.Contains(InstanceKey.Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"node id '{peerId}' must be a non-empty peer ID without '{InstanceKey.Separator}'", nameof(peerId));
        }

        var services = builder.Services;
        services.AddSingleton<ILocalNode>(new LocalNode(peerId));
        services.TryAddSingleton<NodeSilos>();
        builder.UseSiloMetadata(new Dictionary<string, string>(StringComparer.Ordinal) { [NodeSilos.MetadataKey] = peerId });
        builder.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        services.AddOptions<GrainTypeOptions>().PostConfigure<IServiceProvider>(static (options, provider) =>
        {
            if (provider.GetService<AllocatorRole>() is null)
            {
                options.Classes.Remove(typeof(InstanceGrain));
            }
        });
        return builder;
    }

    /// <summary>
    /// Lets the silo run service instances as Docker containers: <see cref="AllocatorOptions"/> bound from
    /// <see cref="AllocatorOptions.SectionName"/> then <paramref name="configure"/> (validated at start), a
    /// <see cref="ContainerRuntime"/> singleton over the registered <see cref="IDockerClient"/> (or one made from
    /// <see cref="AllocatorOptions.Engine"/>), the capacity ledger (<see cref="IAllocatorCapacity"/>, for the node's heartbeat) and a
    /// startup sweep that removes this node's containers left by a previous run. Needs <see cref="AddPhysarumNode"/> on the same silo.
    /// </summary>
    public static ISiloBuilder AddPhysarumAllocator(this ISiloBuilder builder, Action<AllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<AllocatorOptions>().BindConfiguration(AllocatorOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AllocatorOptions>, AllocatorOptionsValidator>());
        services.TryAddSingleton<IDockerClient>(static sp =>
            new DockerEngineConnector(sp.GetRequiredService<IOptions<AllocatorOptions>>().Value.Engine).CreateClient());
        services.TryAddSingleton(static sp => new ContainerRuntime(
            sp.GetRequiredService<IDockerClient>(),
            sp.GetRequiredService<IOptions<AllocatorOptions>>().Value.Runtime,
            sp.GetService<ILogger<ContainerRuntime>>()));
        services.TryAddSingleton<InstanceLauncher>();
        services.TryAddSingleton(static _ => Metrics.NewCustomRegistry());   // the node registers the one its /metrics serves
        services.TryAddSingleton<AllocatorMetrics>();
        services.TryAddSingleton<AllocatorRole>();
        services.TryAddSingleton<NodeLedger>();
        services.TryAddSingleton<IAllocatorCapacity>(static sp => sp.GetRequiredService<NodeLedger>());
        services.TryAddSingleton<ILocalInstanceTable>(static sp => sp.GetRequiredService<NodeLedger>());
        services.TryAddSingleton<LeftoverSweep>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<LeftoverSweep>());
        services.TryAddKeyedSingleton(MeshGrainOptions.ClockServiceKey, TimeProvider.System);
        return builder;
    }
}
