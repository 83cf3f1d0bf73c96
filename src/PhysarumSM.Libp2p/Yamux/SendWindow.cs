namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// Send-side flow control of one stream: bytes the peer still lets us send. Why separate: writers must stop at
/// zero until the peer's WindowUpdate, or the peer (go or js) ends the session. Guarded by the stream's lock.
/// </summary>
internal sealed class SendWindow(long initial)
{
    // Peers may grant more than 4 GiB in total over time; a cap keeps the arithmetic safe without a protocol error.
    private const long Cap = uint.MaxValue;

    public long Available { get; private set; } = initial;

    public void Grant(uint delta) => Available = Math.Min(Available + delta, Cap);

    public void Consume(int bytes) => Available -= bytes;
}
