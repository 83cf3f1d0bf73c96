using Orleans.Storage;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Registry.Client;

namespace PhysarumSM.Grains.Registry;

/// <summary>
/// The registry's storage: etcd, with etcd failures turned into <see cref="RegistryUnavailableException"/>. Why here
/// and not in the grain: state is first read during activation, before any grain code could translate the error.
/// </summary>
internal sealed class RegistryGrainStorage(IGrainStorage etcd) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        Translate(etcd.ReadStateAsync(stateName, grainId, grainState, cancellationToken));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        Translate(etcd.WriteStateAsync(stateName, grainId, grainState, cancellationToken));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        Translate(etcd.ClearStateAsync(stateName, grainId, grainState, cancellationToken));

    /// <summary>The registry's view of an etcd failure; the message already names the endpoints and what to check.</summary>
    public static RegistryUnavailableException Unavailable(EtcdUnavailableException ex) => new($"registry unavailable: {ex.Message}");

    private static async Task Translate(Task operation)
    {
        try
        {
            await operation.ConfigureAwait(false);
        }
        catch (EtcdUnavailableException ex)
        {
            throw Unavailable(ex);
        }
    }
}
