using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

/// <summary>Generators for well-formed multiaddrs built from random components.</summary>
public static class MultiaddrArbitrary
{
    public static Arbitrary<Multiaddr> Multiaddr()
    {
        var ip4 = from b in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 4) select Part("ip4", string.Join('.', b));
        var ip6 = from b in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16)
                  select Part("ip6", new System.Net.IPAddress(b).ToString());
        var port = from p in Gen.Choose(0, 65535) from name in Gen.Elements("tcp", "udp") select Part(name, p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var dnsName = from labels in Gen.Choose(1, 4)
                      from chars in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-".ToCharArray()), labels * 5)
                      select string.Join('.', chars.Chunk(5).Select(c => new string(c)));
        var dns = from name in dnsName from p in Gen.Elements("dns", "dns4", "dns6", "dnsaddr") select Part(p, name);
        var peer = from seed in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32)
                   select Part("p2p", PeerIdFromSeed(seed));
        var bare = from name in Gen.Elements("ws", "wss", "quic-v1", "p2p-circuit", "tls", "noise", "webrtc-direct") select "/" + name;
        var component = Gen.OneOf(ip4, ip6, port, dns, peer, bare);
        return (from parts in Gen.NonEmptyListOf(component) select PhysarumSM.Libp2p.Multiformats.Multiaddr.Parse(string.Concat(parts))).ToArbitrary();
    }

    private static string Part(string name, string value) => $"/{name}/{value}";

    private static string PeerIdFromSeed(byte[] seed)
    {
        using var key = PhysarumSM.Libp2p.Crypto.IdentityKey.FromSeed(seed);
        return key.PeerId.ToString();
    }
}

public sealed class MultiaddrPropertyTests
{
    [Property(MaxTest = 500, Arbitrary = [typeof(MultiaddrArbitrary)])]
    public bool Text_and_bytes_round_trip(Multiaddr address) =>
        Multiaddr.Parse(address.ToString()) == address
        && Multiaddr.FromBytes(address.ToBytes()) == address
        && Multiaddr.FromBytes(address.ToBytes()).ToString() == address.ToString()
        && Multiaddr.FromComponents(address.Components) == address;

    [Property(MaxTest = 200, EndSize = 8, Arbitrary = [typeof(MultiaddrArbitrary)])]
    public bool Mutated_bytes_only_throw_FormatException(Multiaddr address) =>
        ParserFuzzing.Mutations(address.ToBytes()).All(bytes =>
            ParserFuzzing.OnlyThrows<FormatException>(() => Multiaddr.FromBytes(bytes).ToString()));

    [Property(MaxTest = 3000)]
    public bool Random_bytes_only_throw_FormatException(byte[] input) =>
        ParserFuzzing.OnlyThrows<FormatException>(() =>
        {
            if (Multiaddr.TryFromBytes(input, out var address))
            {
                // Whatever is accepted must print and re-parse to the same address.
                Assert.Equal(address, Multiaddr.Parse(address.ToString()));
            }
            Multiaddr.FromBytes(input);
        });

    [Property(MaxTest = 3000)]
    public bool Random_text_only_throws_FormatException(string? text) =>
        ParserFuzzing.OnlyThrows<FormatException>(() =>
        {
            Multiaddr.TryParse(text, out _);
            Multiaddr.TryParse("/" + text, out _);
            Multiaddr.TryParse("/ip4/" + text, out _);
            Multiaddr.TryParse("/ip6/" + text, out _);
            Multiaddr.TryParse("/tcp/" + text, out _);
            Multiaddr.TryParse("/dns/" + text, out _);
            Multiaddr.TryParse("/p2p/" + text, out _);
            if (text is not null)
            {
                Multiaddr.Parse(text);
            }
        });

    [Fact]
    public void Oversized_declared_lengths_are_rejected()
    {
        // dns with a length varint of 2^62 and p2p with 2^32: must be a FormatException, not an overflow.
        var e1 = Assert.Throws<FormatException>(() => Multiaddr.FromBytes(Convert.FromHexString("3580808080808080804061")));
        Assert.Contains("truncated dns value", e1.Message);
        var e2 = Assert.Throws<FormatException>(() => Multiaddr.FromBytes(Convert.FromHexString("a5038080808010")));
        Assert.Contains("truncated p2p value", e2.Message);
    }
}
