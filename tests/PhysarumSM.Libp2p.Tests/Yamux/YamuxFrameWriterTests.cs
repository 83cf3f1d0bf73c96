using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

/// <summary>
/// How the frame writer shares a batch between bulk data, small data and header-only frames. The write loop is
/// not started until the batch is filled, so "full" is exact and nothing depends on timing.
/// </summary>
public sealed class YamuxFrameWriterTests
{
    private const int BatchSize = 256 * 1024;

    [Fact]
    public async Task A_small_reply_is_queued_while_bulk_data_fills_the_batch()
    {
        var output = new MemoryStream();
        var counters = new YamuxSessionCounters();
        var failures = new List<Exception>();
        var writer = new YamuxFrameWriter(output, BatchSize, TimeSpan.Zero, counters, failures.Add);
        var bulkWaiter = new AsyncAutoResetEvent();
        FillWithBulk(writer, bulkWaiter);

        // A multistream reply of an inbound stream (js's connection-monitor ping) while 100 bulk streams wait for
        // room: it must go out with this batch, not after whichever bulk writers win the next ones.
        byte[] reply = [19, .. "/multistream/1.0.0\n"u8];
        Assert.Equal(reply.Length, writer.TryAppendData(4, reply, new AsyncAutoResetEvent()));

        // Bulk data still waits for the next batch.
        Assert.Equal(0, writer.TryAppendData(7, new byte[60_000], bulkWaiter));

        var loop = writer.RunAsync();
        writer.Complete();
        await loop;
        Assert.Empty(failures);
        Assert.Equal(1, counters.BatchesWritten);
        var frames = ParseFrames(output.ToArray());
        var last = frames[^1];
        Assert.Equal((4u, reply.Length), (last.StreamId, last.Payload.Length));
        Assert.Equal(reply, last.Payload);
    }

    [Fact]
    public void Small_data_frames_cannot_crowd_out_header_only_frames()
    {
        var failures = new List<Exception>();
        var writer = new YamuxFrameWriter(Stream.Null, BatchSize, TimeSpan.Zero, new YamuxSessionCounters(), failures.Add);
        var waiter = new AsyncAutoResetEvent();
        FillWithBulk(writer, waiter);

        // A frame just above the small size is bulk: no room.
        Assert.Equal(0, writer.TryAppendData(9, new byte[YamuxFrameWriter.SmallDataFrame + 1], waiter));

        // Small frames take their share of the slack, then wait too.
        var small = new byte[YamuxFrameWriter.SmallDataFrame];
        int accepted = 0;
        while (writer.TryAppendData(11, small, waiter) > 0)
        {
            accepted++;
        }

        Assert.Equal(YamuxFrameWriter.SmallDataSlack / (small.Length + YamuxFrameHeader.Size), accepted);

        // What is left of the slack still holds thousands of ACK/RST/ping frames.
        for (int i = 0; i < 4000; i++)
        {
            writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Ack, (uint)(2 * i + 2), 0);
        }

        Assert.Empty(failures);
    }

    /// <summary>Appends bulk frames the way many streams do until the writer turns them away.</summary>
    private static void FillWithBulk(YamuxFrameWriter writer, AsyncAutoResetEvent waiter)
    {
        var bulk = new byte[60_000];
        for (uint id = 1; writer.TryAppendData(id, bulk, waiter) > 0; id += 2)
        {
        }
    }

    private static List<(uint StreamId, byte[] Payload)> ParseFrames(byte[] wire)
    {
        var frames = new List<(uint, byte[])>();
        int pos = 0;
        while (pos < wire.Length)
        {
            var header = YamuxFrameHeader.Read(wire.AsSpan(pos, YamuxFrameHeader.Size));
            pos += YamuxFrameHeader.Size;
            int length = header.Type == YamuxFrameType.Data ? (int)header.Length : 0;
            frames.Add((header.StreamId, wire.AsSpan(pos, length).ToArray()));
            pos += length;
        }

        return frames;
    }
}
