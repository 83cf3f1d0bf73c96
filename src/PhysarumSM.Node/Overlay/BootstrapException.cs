using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// No bootstrap could be reached at startup. Why its own type: the node cannot join the mesh, and the
/// operator needs every bootstrap with its reason in one message to fix flags, PSK or firewall.
/// </summary>
public sealed class BootstrapException(IReadOnlyList<BootstrapFailure> failures)
    : Exception(Describe(failures))
{
    /// <summary>One entry per bootstrap peer.</summary>
    public IReadOnlyList<BootstrapFailure> Failures { get; } = failures;

    private static string Describe(IReadOnlyList<BootstrapFailure> failures) =>
        $"could not connect to any of {failures.Count} bootstrap peer(s):" + string.Concat(
            failures.Select(f => $"{Environment.NewLine}  {string.Join(" | ", f.Addresses)}: {f.Attempts} attempt(s), last error: {f.Reason}"));
}

/// <summary>Why one bootstrap peer could not be reached at startup.</summary>
public sealed record BootstrapFailure(PeerId Peer, IReadOnlyList<Multiaddr> Addresses, int Attempts, string Reason, Exception? Error);
