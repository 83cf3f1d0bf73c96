namespace PhysarumSM.Contracts.Instances;

/// <summary>Where an instance is in its life; why: the gateway routes only to running instances.</summary>
public enum InstanceState
{
    /// <summary>The container runs and answered HTTP.</summary>
    Running,

    /// <summary>Stop was asked or the container died: the grain is deactivating and the container is being removed.</summary>
    Stopping,
}
