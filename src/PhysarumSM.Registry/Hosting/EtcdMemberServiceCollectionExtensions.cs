using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PhysarumSM.Registry.Cluster;

namespace PhysarumSM.Registry.Hosting;

/// <summary>Runs an etcd member with the host: started before the services registered after it, stopped after them.</summary>
public static class EtcdMemberServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="EtcdMember"/> as a singleton and hosted service, configured from
    /// <see cref="EtcdMemberOptions.SectionName"/> then <paramref name="configure"/>. Call it before <c>UseOrleans</c> so
    /// etcd is healthy before the silo reads state. To join a cluster, also register an <see cref="IEtcdMemberJoiner"/>.
    /// </summary>
    public static IServiceCollection AddEtcdMember(this IServiceCollection services, Action<EtcdMemberOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EtcdMemberOptions>().BindConfiguration(EtcdMemberOptions.SectionName).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EtcdMemberOptions>, EtcdMemberOptionsValidator>());
        services.TryAddSingleton<EtcdMember>();
        services.AddHostedService(static sp => sp.GetRequiredService<EtcdMember>());
        return services;
    }
}
