namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// A reference-counted pooled array the session's reader loop decrypts into. Why shared: a large Data payload can
/// then be queued on its stream as a slice of this array instead of being copied into a segment of its own, which
/// saves one pass over every received byte. The array goes back to the pool when the last holder releases it.
/// </summary>
internal sealed class ReceiveChunk
{
    private int _references = 1;

    private ReceiveChunk(byte[] array) => Array = array;

    public byte[] Array { get; }

    /// <summary>True while someone besides the first owner holds the chunk (its bytes must then stay untouched).</summary>
    public bool IsShared => Volatile.Read(ref _references) > 1;

    /// <summary>Rents a chunk of exactly <paramref name="size"/> bytes or more, held once by the caller.</summary>
    public static ReceiveChunk Rent(int size) => new(ReceiveBuffer.SegmentPool.Rent(size));

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            ReceiveBuffer.SegmentPool.Return(Array);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("ReceiveChunk released more often than it was held.");
        }
    }
}
