namespace PhysarumSM.Grains;

/// <summary>
/// Which deactivations of a grain that mirrors something live (a node, a link) mean that thing ended. Why: after a silo
/// dies, Orleans deactivates activations whose directory entry was lost (<c>DirectoryFailure</c>) or that turned out to
/// be duplicates; the node or link behind them is fine and reports again, so telling the mesh directory it is gone
/// would empty the directory of live nodes and links for seconds (found by the failover test).
/// </summary>
internal static class DeactivationReasons
{
    /// <summary>False for the runtime's own replacements of an activation; true for idle collection, shutdown and the rest.</summary>
    public static bool MeansGone(DeactivationReasonCode code) => code is not (
        DeactivationReasonCode.DirectoryFailure or DeactivationReasonCode.DuplicateActivation or DeactivationReasonCode.Migrating
        or DeactivationReasonCode.ActivationUnresponsive or DeactivationReasonCode.HighMemoryPressure or DeactivationReasonCode.IncompatibleRequest);
}
