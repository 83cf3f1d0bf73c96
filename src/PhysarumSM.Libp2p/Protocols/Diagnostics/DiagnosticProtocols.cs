using System.Buffers;
using System.Buffers.Binary;
using PhysarumSM.Libp2p.Host;

namespace PhysarumSM.Libp2p.Protocols.Diagnostics;

/// <summary>
/// Echo, sink and source: tiny protocols that interop tests and benchmarks run against js-libp2p peers.
/// Why in the library: operators can register them on a node to check a path end to end; they are
/// not registered unless asked for (<see cref="Register"/>).
/// </summary>
public static class DiagnosticProtocols
{
    /// <summary>Echoes every byte back until EOF, then half-closes.</summary>
    public const string Echo = "/physarum/echo/1.0.0";

    /// <summary>Discards everything until EOF, then writes the byte count (8 bytes big-endian) and closes.</summary>
    public const string Sink = "/physarum/sink/1.0.0";

    /// <summary>Reads a byte count (8 bytes big-endian), writes that many bytes, then closes.</summary>
    public const string Source = "/physarum/source/1.0.0";

    private const int ChunkSize = 64 * 1024;

    /// <summary>Registers the three handlers on <paramref name="host"/>.</summary>
    public static void Register(Libp2pHost host)
    {
        host.SetStreamHandler(Echo, EchoAsync);
        host.SetStreamHandler(Sink, SinkAsync);
        host.SetStreamHandler(Source, SourceAsync);
    }

    public static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await stream.Stream.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task SinkAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var total = await DrainAsync(stream.Stream, cancellationToken).ConfigureAwait(false);
        var count = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(count, (ulong)total);
        await stream.Stream.WriteAsync(count, cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task SourceAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var count = new byte[8];
        await stream.Stream.ReadExactlyAsync(count, cancellationToken).ConfigureAwait(false);
        await WriteFillAsync(stream.Stream, (long)BinaryPrimitives.ReadUInt64BigEndian(count), cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads until EOF and returns the number of bytes read.</summary>
    public static async Task<long> DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <paramref name="count"/> filler bytes in 64 KiB chunks.</summary>
    public static async Task WriteFillAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            buffer.AsSpan(0, ChunkSize).Fill(0x5a);
            while (count > 0)
            {
                var size = (int)Math.Min(count, ChunkSize);
                await stream.WriteAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                count -= size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
