using System.Buffers;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// Bytes received on one stream and not yet read, kept in pooled segments. Why segments: a stream's backlog can
/// grow with its window (up to 16 MiB) without ever allocating or copying one large array, and a drained stream
/// gives every segment back to the pool. Not thread-safe: the owning stream's lock guards it.
/// </summary>
internal sealed class ReceiveBuffer
{
    private const int MinSegmentSize = 4 * 1024;
    private const int MaxSegmentSize = 64 * 1024;

    // Own pool rather than ArrayPool.Shared: segments are rented on the reader loop's thread and returned on
    // application threads, a pattern that (measured) misses the shared pool's per-thread caches and allocated
    // ~0.6 byte per byte received. Bounded: at most 128 arrays per size are kept (≈16 MiB if all sizes fill).
    internal static readonly ArrayPool<byte> SegmentPool = ArrayPool<byte>.Create(MaxSegmentSize, 128);

    // Ring of segments; capacity stays a power of two so wrapping is a mask.
    private Segment[] _segments = new Segment[4];
    private int _head;
    private int _count;

    /// <summary>Unread bytes.</summary>
    public int Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        if (_count > 0 && _segments[(_head + _count - 1) & (_segments.Length - 1)].Chunk is null)
        {
            // Only a segment of our own may be topped up: the bytes after a shared slice belong to someone else.
            ref var tail = ref _segments[(_head + _count - 1) & (_segments.Length - 1)];
            int room = Math.Min(tail.Array.Length - tail.End, data.Length);
            data[..room].CopyTo(tail.Array.AsSpan(tail.End));
            tail.End += room;
            data = data[room..];
        }

        while (!data.IsEmpty)
        {
            var array = SegmentPool.Rent(Math.Clamp(data.Length, MinSegmentSize, MaxSegmentSize));
            int n = Math.Min(array.Length, data.Length);
            data[..n].CopyTo(array);
            Push(new Segment { Array = array, End = n });
            data = data[n..];
        }
    }

    /// <summary>Queues a slice of <paramref name="chunk"/> without copying it; the buffer holds the chunk until the slice is read.</summary>
    public void AppendShared(ReceiveChunk chunk, int offset, int length)
    {
        chunk.AddReference();
        Length += length;
        Push(new Segment { Array = chunk.Array, Start = offset, End = offset + length, Chunk = chunk });
    }

    /// <summary>Moves up to destination.Length bytes out; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        int total = 0;
        while (_count > 0 && total < destination.Length)
        {
            ref var head = ref _segments[_head];
            int n = Math.Min(head.End - head.Start, destination.Length - total);
            head.Array.AsSpan(head.Start, n).CopyTo(destination[total..]);
            head.Start += n;
            total += n;
            if (head.Start == head.End)
            {
                ReturnSegment(head);
                head = default;
                _head = (_head + 1) & (_segments.Length - 1);
                _count--;
            }
        }

        Length -= total;
        return total;
    }

    /// <summary>Drops everything and returns the segments to the pool.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            ref var head = ref _segments[_head];
            ReturnSegment(head);
            head = default;
            _head = (_head + 1) & (_segments.Length - 1);
            _count--;
        }

        _head = 0;
        Length = 0;
    }

    private static void ReturnSegment(in Segment segment)
    {
        if (segment.Chunk is { } chunk)
        {
            chunk.Release();
        }
        else
        {
            SegmentPool.Return(segment.Array);
        }
    }

    private void Push(Segment segment)
    {
        if (_count == _segments.Length)
        {
            var grown = new Segment[_segments.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                grown[i] = _segments[(_head + i) & (_segments.Length - 1)];
            }

            _segments = grown;
            _head = 0;
        }

        _segments[(_head + _count) & (_segments.Length - 1)] = segment;
        _count++;
    }

    private struct Segment
    {
        public byte[] Array;
        public int Start;
        public int End;
        public ReceiveChunk? Chunk; // set when Array is a shared receive chunk rather than our own segment
    }
}
