namespace PhysarumSM.Contracts.Instances;

/// <summary>Typed access to instance grains; why: callers never build the key text by hand.</summary>
public static class InstanceGrainFactoryExtensions
{
    /// <summary>The instance grain of <paramref name="key"/>.</summary>
    public static IInstanceGrain GetInstanceGrain(this IGrainFactory grains, InstanceKey key)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IInstanceGrain>(key.Format());
    }
}
