using System.Threading.Channels;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// One bootstrap peer (all its given addresses) and its supervision state. Why a loss channel of one
/// slot: disconnects that arrive while a redial runs collapse into one "check again" signal.
/// </summary>
internal sealed class BootstrapLink(PeerId peer, IReadOnlyList<Multiaddr> addresses)
{
    public PeerId Peer { get; } = peer;

    /// <summary>Addresses with /p2p/, in the order given.</summary>
    public IReadOnlyList<Multiaddr> Addresses { get; } = addresses;

    /// <summary>Outcome of the startup attempts: null when connected, else why not.</summary>
    public TaskCompletionSource<BootstrapFailure?> Startup { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Signalled when the last connection to the peer closes.</summary>
    public Channel<bool> Lost { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
}
