namespace PhysarumSM.Registry.Storage;

/// <summary>What a compare-and-set transaction found: applied at a revision, or the revision it met instead (0 = absent).</summary>
internal readonly record struct EtcdWriteOutcome(bool Applied, long Revision);
