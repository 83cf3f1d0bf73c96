namespace PhysarumSM.Contracts.Registry;

/// <summary>Typed access to the registry grains, so callers never spell keys by hand.</summary>
public static class RegistryGrainFactoryExtensions
{
    /// <summary>The grain of service <paramref name="name"/>.</summary>
    public static IServiceGrain GetServiceGrain(this IGrainFactory grains, string name) => grains.GetGrain<IServiceGrain>(name);

    /// <summary>The catalog of all services.</summary>
    public static IServiceCatalogGrain GetServiceCatalog(this IGrainFactory grains) => grains.GetGrain<IServiceCatalogGrain>(IServiceCatalogGrain.Key);
}
