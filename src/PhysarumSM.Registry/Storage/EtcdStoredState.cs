namespace PhysarumSM.Registry.Storage;

/// <summary>One grain's state as listed from etcd, with the mod revision that is its ETag.</summary>
/// <param name="GrainKey">The grain's key (the last key segment, unescaped).</param>
/// <param name="State">The deserialized state.</param>
/// <param name="Revision">The etcd mod revision of the key.</param>
public sealed record EtcdStoredState<T>(string GrainKey, T State, long Revision);
