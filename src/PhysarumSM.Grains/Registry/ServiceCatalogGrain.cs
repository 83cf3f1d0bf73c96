using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Registry.Client;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Grains.Registry;

/// <summary>
/// Lists services with one etcd range read over <c>/physarum/services/</c>, never by activating a grain per service.
/// A stateless worker: it holds nothing, so every silo can answer locally.
/// </summary>
[StatelessWorker]
internal sealed class ServiceCatalogGrain(IServiceProvider services) : Grain, IServiceCatalogGrain
{
    private readonly EtcdStateStore? _store = services.GetKeyedService<EtcdStateStore>(RegistryStorage.EtcdStorageName);

    public async Task<IReadOnlyList<ServiceRecord>> List(CancellationToken cancellationToken = default)
    {
        var store = _store ?? throw new RegistryUnavailableException(RegistryStorage.NotConfiguredMessage);
        IReadOnlyList<EtcdStoredState<ServiceState>> stored;
        try
        {
            stored = await store.ListAsync<ServiceState>(RegistryStorage.ServicesGrainType, cancellationToken);
        }
        catch (EtcdUnavailableException ex)
        {
            throw RegistryGrainStorage.Unavailable(ex);
        }

        return stored
            .Select(s => s.State.ToRecord(s.Revision))
            .OfType<ServiceRecord>()
            .OrderBy(r => r.Info.Name, StringComparer.Ordinal)
            .ToList();
    }
}
