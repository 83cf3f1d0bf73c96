using Orleans.Storage;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Grains.Registry;

/// <summary>The registry storage of a cluster that has none: every use says how to configure one.</summary>
internal sealed class UnconfiguredRegistryStorage : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Fail();

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Fail();

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Fail();

    private static Task Fail() => Task.FromException(new RegistryUnavailableException(RegistryStorage.NotConfiguredMessage));
}
