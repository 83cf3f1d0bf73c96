namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>
/// An in-memory peer: reads return a fixed script (in small, uneven pieces) and then end of stream; writes
/// are recorded. Why not sockets: fuzzing runs hundreds of cases, and a scripted peer makes byte-exact
/// vector checks independent of timing.
/// </summary>
internal sealed class ScriptedStream(byte[] script, int seed = 0) : Stream
{
    private readonly Random _random = new(seed);
    private readonly MemoryStream _written = new();
    private int _position;

    public byte[] Written => _written.ToArray();

    /// <summary>How many write calls reached this stream.</summary>
    public int WriteCount { get; private set; }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position == script.Length)
        {
            return 0;
        }

        // Uneven pieces exercise partial-read handling in the code under test.
        var n = Math.Min(buffer.Length, Math.Min(script.Length - _position, 1 + _random.Next(97)));
        script.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        WriteCount++;
        _written.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
