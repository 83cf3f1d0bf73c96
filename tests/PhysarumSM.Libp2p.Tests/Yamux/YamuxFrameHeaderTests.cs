using FsCheck.Xunit;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

public sealed class YamuxFrameHeaderTests
{
    // Table 9.7 of the wire digest.
    [Theory]
    [InlineData("000100010000000100000000", YamuxFrameType.WindowUpdate, YamuxFrameFlags.Syn, 1u, 0u)]
    [InlineData("000100020000000100000000", YamuxFrameType.WindowUpdate, YamuxFrameFlags.Ack, 1u, 0u)]
    [InlineData("000000000000000100000005", YamuxFrameType.Data, YamuxFrameFlags.None, 1u, 5u)]
    [InlineData("000100000000000200040000", YamuxFrameType.WindowUpdate, YamuxFrameFlags.None, 2u, 262144u)]
    [InlineData("000100040000000100000000", YamuxFrameType.WindowUpdate, YamuxFrameFlags.Fin, 1u, 0u)]
    [InlineData("000100080000000300000000", YamuxFrameType.WindowUpdate, YamuxFrameFlags.Rst, 3u, 0u)]
    [InlineData("000200010000000000000000", YamuxFrameType.Ping, YamuxFrameFlags.Syn, 0u, 0u)]
    [InlineData("000200020000000000000000", YamuxFrameType.Ping, YamuxFrameFlags.Ack, 0u, 0u)]
    [InlineData("000300000000000000000000", YamuxFrameType.GoAway, YamuxFrameFlags.None, 0u, 0u)]
    internal void Digest_table_frames_parse_and_write_byte_exact(string hex, YamuxFrameType type, YamuxFrameFlags flags, uint id, uint length)
    {
        var header = YamuxFrameHeader.Read(Convert.FromHexString(hex));
        Assert.Equal(new YamuxFrameHeader(0, type, flags, id, length), header);
        Assert.Null(header.FindViolation());

        var written = new byte[YamuxFrameHeader.Size];
        YamuxFrameHeader.Write(written, type, flags, id, length);
        Assert.Equal(hex, Convert.ToHexString(written).ToLowerInvariant());
    }

    [Property(MaxTest = 500)]
    public bool Any_header_round_trips(byte version, byte type, ushort flags, uint id, uint length)
    {
        var header = new YamuxFrameHeader(version, (YamuxFrameType)type, (YamuxFrameFlags)flags, id, length);
        var bytes = new byte[YamuxFrameHeader.Size];
        header.Write(bytes);
        return YamuxFrameHeader.Read(bytes) == header;
    }

    [Theory]
    [InlineData("010100010000000200000000", "version")]
    [InlineData("000900000000000000000000", "unknown frame type")]
    [InlineData("000100030000000200000000", "SYN and ACK")]
    [InlineData("000100100000000200000000", "unknown flags")]
    [InlineData("000000000000000000000005", "stream 0")]
    [InlineData("000100000000000000000000", "stream 0")]
    [InlineData("000200010000000100000000", "Ping frame on stream 1")]
    [InlineData("000200040000000000000000", "neither SYN nor ACK")]
    [InlineData("000200030000000000000000", "neither SYN nor ACK")]
    [InlineData("000200000000000000000000", "neither SYN nor ACK")]
    [InlineData("000300010000000000000000", "GoAway frame with flags")]
    [InlineData("000300000000000500000000", "GoAway frame on stream 5")]
    public void Malformed_headers_are_named(string hex, string expected)
    {
        var violation = YamuxFrameHeader.Read(Convert.FromHexString(hex)).FindViolation();
        Assert.NotNull(violation);
        Assert.Contains(expected, violation, StringComparison.Ordinal);
    }
}
