using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using PhysarumSM.Libp2p.Multistream;
using PhysarumSM.Libp2p.Tests.Support;

namespace PhysarumSM.Libp2p.Tests.Multistream;

public sealed class MultistreamSelectTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("/multistream/1.0.0", "132f6d756c746973747265616d2f312e302e300a")]
    [InlineData("/noise", "072f6e6f6973650a")]
    [InlineData("/yamux/1.0.0", "0d2f79616d75782f312e302e300a")]
    [InlineData("na", "036e610a")]
    [InlineData("/ipfs/ping/1.0.0", "112f697066732f70696e672f312e302e300a")]
    [InlineData("/ipfs/id/1.0.0", "0f2f697066732f69642f312e302e300a")]
    public void Frames_messages_as_the_spec(string text, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MultistreamMessage.Write(buffer, text);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer.WrittenSpan));
    }

    [Fact]
    public async Task Dialer_writes_header_and_proposal_in_one_write_and_gets_the_protocol()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        var listen = MultistreamSelect.HandleAsync(pair.Server, p => p == "/noise", null, cts.Token);
        var chosen = await MultistreamSelect.SelectAsync(pair.Client, ["/noise"], cts.Token);
        Assert.Equal("/noise", chosen);
        Assert.Equal("/noise", await listen);
    }

    [Fact]
    public async Task Dialer_falls_back_after_na_and_bytes_after_agreement_belong_to_the_protocol()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        var listen = Task.Run(async () =>
        {
            var protocol = await MultistreamSelect.HandleAsync(pair.Server, p => p == "/noise", null, cts.Token);
            var payload = new byte[5];
            await pair.Server.ReadExactlyAsync(payload, cts.Token);
            return (protocol, payload);
        });
        var chosen = await MultistreamSelect.SelectAsync(pair.Client, ["/tls/1.0.0", "/noise"], cts.Token);
        await pair.Client.WriteAsync("hello"u8.ToArray(), cts.Token);
        var (protocol, payload) = await listen;
        Assert.Equal("/noise", chosen);
        Assert.Equal("/noise", protocol);
        Assert.Equal("hello"u8.ToArray(), payload);
    }

    [Fact]
    public async Task No_common_protocol_is_a_clear_error()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        _ = MultistreamSelect.HandleAsync(pair.Server, _ => false, null, cts.Token);
        var error = await Assert.ThrowsAsync<ProtocolNotSupportedException>(
            () => MultistreamSelect.SelectAsync(pair.Client, ["/a/1", "/b/1"], cts.Token));
        Assert.Contains("/a/1, /b/1", error.Message);
    }

    [Fact]
    public async Task Listener_answers_ls_with_its_protocols()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        _ = MultistreamSelect.HandleAsync(pair.Server, p => p == "/x/1", () => ["/x/1", "/y/1"], cts.Token);
        var request = new ArrayBufferWriter<byte>();
        MultistreamMessage.Write(request, MultistreamSelect.HeaderProtocol);
        MultistreamMessage.Write(request, "ls");
        await pair.Client.WriteAsync(request.WrittenMemory, cts.Token);
        Assert.Equal(MultistreamSelect.HeaderProtocol, await MultistreamMessage.ReadAsync(pair.Client, cts.Token));
        var list = await MultistreamMessage.ReadAsync(pair.Client, cts.Token);
        Assert.Equal("\u0005/x/1\n\u0005/y/1\n", list);
    }

    [Fact]
    public async Task Garbage_instead_of_the_header_is_a_protocol_error()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        var listen = MultistreamSelect.HandleAsync(pair.Server, _ => true, null, cts.Token);
        await pair.Client.WriteAsync(new byte[] { 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, cts.Token);
        var error = await Assert.ThrowsAsync<Libp2pProtocolException>(() => listen);
        Assert.Contains("newline", error.Message);
    }

    [Fact]
    public async Task Oversized_length_is_refused_before_reading_the_body()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var pair = await LoopbackPair.CreateAsync(cts.Token);
        var listen = MultistreamSelect.HandleAsync(pair.Server, _ => true, null, cts.Token);
        await pair.Client.WriteAsync(new byte[] { 0xff, 0xff, 0x03 }, cts.Token);
        var error = await Assert.ThrowsAsync<Libp2pProtocolException>(() => listen);
        Assert.Contains("outside", error.Message);
    }

    [Fact]
    public void Random_bytes_into_the_listener_end_in_a_protocol_error_or_eof_only()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            using var input = new DuplexMemory(bytes);
            try
            {
                MultistreamSelect.HandleAsync(input, p => p == "/noise", () => ["/noise"], CancellationToken.None).GetAwaiter().GetResult();
                return true;
            }
            catch (Exception ex) when (ex is Libp2pProtocolException or EndOfStreamException)
            {
                return true;
            }
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Reads from a fixed byte array, discards writes: enough to feed a parser arbitrary input.</summary>
    private sealed class DuplexMemory(byte[] input) : Stream
    {
        private readonly MemoryStream _input = new(input);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
    }
}
