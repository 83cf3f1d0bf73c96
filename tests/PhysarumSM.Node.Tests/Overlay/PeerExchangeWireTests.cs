using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Node.Overlay;

namespace PhysarumSM.Node.Tests.Overlay;

public sealed class PeerExchangeWireTests
{
    [Fact]
    public void An_answer_round_trips()
    {
        var adverts = Adverts(3, 2);

        var decoded = PeerExchangeWire.DecodeAnswer(PeerExchangeWire.EncodeAnswer(adverts, 64 * 1024), 64, 8);

        Assert.Equal(adverts.Select(a => a.Peer), decoded.Peers.Select(p => p.Peer));
        Assert.Equal(adverts.SelectMany(a => a.Addresses), decoded.Peers.SelectMany(p => p.Addresses));
        Assert.Equal(0, decoded.SkippedPeers);
        Assert.Equal(0, decoded.SkippedAddresses);
    }

    [Fact]
    public void An_encoded_answer_never_exceeds_the_size_limit_and_keeps_whole_entries()
    {
        var adverts = Adverts(100, 3);
        foreach (var limit in new[] { 0, 10, 100, 1000, 4000 })
        {
            var message = PeerExchangeWire.EncodeAnswer(adverts, limit);
            Assert.InRange(message.Length, 0, limit);
            var decoded = PeerExchangeWire.DecodeAnswer(message, 1000, 8);
            Assert.Equal(adverts.Take(decoded.Peers.Count).Select(a => a.Peer), decoded.Peers.Select(p => p.Peer));
        }
    }

    [Fact]
    public void A_request_round_trips_and_an_empty_one_means_no_preference()
    {
        Assert.Equal(17, PeerExchangeWire.DecodeRequest(PeerExchangeWire.EncodeRequest(17)));
        Assert.Equal(0, PeerExchangeWire.DecodeRequest([]));
    }

    [Fact]
    public void Random_and_mutated_input_only_ever_fails_with_FormatException()
    {
        var random = new Random(1234);
        var valid = PeerExchangeWire.EncodeAnswer(Adverts(6, 3), 64 * 1024);
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
            }
            else
            {
                input = valid[..random.Next(0, valid.Length + 1)];
                for (var flips = random.Next(1, 4); flips > 0 && input.Length > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            try
            {
                var answer = PeerExchangeWire.DecodeAnswer(input, 4, 2);
                Assert.InRange(answer.Peers.Count, 0, 4);
                Assert.All(answer.Peers, p => Assert.InRange(p.Addresses.Count, 0, 2));
            }
            catch (FormatException)
            {
                // Expected for malformed input.
            }

            try
            {
                PeerExchangeWire.DecodeRequest(input);
            }
            catch (FormatException)
            {
                // Expected for malformed input.
            }
        }
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_is_refused_before_it_is_read()
    {
        using var stream = new MemoryStream([.. Varint.Encode(1UL << 40), 1, 2, 3]);

        var error = await Assert.ThrowsAsync<PeerExchangeException>(() => PeerExchangeWire.ReadFrameAsync(stream, 1024, CancellationToken.None));

        Assert.Contains("exceeds", error.Message);
        Assert.True(stream.Position <= 8, "the reader went past the length prefix");
    }

    private static PeerAdvert[] Adverts(int count, int addresses) =>
        Enumerable.Range(0, count)
            .Select(i => new PeerAdvert(
                IdentityKey.FromSeed(Enumerable.Repeat((byte)i, 32).ToArray()).PeerId,
                Enumerable.Range(0, addresses).Select(a => Multiaddr.Parse($"/ip4/10.0.{i % 250}.{a + 1}/tcp/{4001 + a}")).ToArray()))
            .ToArray();
}
