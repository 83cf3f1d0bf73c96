using System.Net;
using PhysarumSM.Libp2p.Multiformats;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Multiformats;

public sealed class MultiaddrTests
{
    [Theory] // wire digest section 2.3
    [InlineData("/ip4/192.0.2.42/tcp/443", "04c000022a0601bb")]
    [InlineData("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1")]
    [InlineData("/ip4/127.0.0.1/udp/1234", "047f000001910204d2")]
    [InlineData("/ip6/::1/tcp/4001", "2900000000000000000000000000000001060fa1")]
    [InlineData("/dns4/example.com/tcp/443", "360b6578616d706c652e636f6d0601bb")]
    [InlineData("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
        "047f000001060fa1a503260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")]
    [InlineData("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", "a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9")]
    public void Spec_vectors_both_directions(string text, string hex)
    {
        var fromText = Multiaddr.Parse(text);
        Assert.Equal(hex, Convert.ToHexStringLower(fromText.ToBytes()));
        var fromBytes = Multiaddr.FromBytes(Convert.FromHexString(hex));
        Assert.Equal(text, fromBytes.ToString());
        Assert.Equal(fromText, fromBytes);
    }

    [Fact]
    public void Ipfs_is_read_as_p2p()
    {
        var legacy = Multiaddr.Parse("/ipfs/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        Assert.Equal("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", legacy.ToString());
        Assert.Equal(Multiaddr.Parse("/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"), legacy);
    }

    [Fact]
    public void P2p_value_in_cid_form_is_printed_as_base58()
    {
        var address = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1/p2p/" + Ed25519Cid);
        Assert.Equal("/ip4/1.2.3.4/tcp/1/p2p/" + Ed25519PeerId, address.ToString());
    }

    [Fact]
    public void Components_expose_protocol_and_value()
    {
        var address = Multiaddr.Parse("/dns6/node.example/tcp/80/ws");
        Assert.Collection(address.Components,
            c => { Assert.Same(MultiaddrProtocol.Dns6, c.Protocol); Assert.Equal("node.example", c.ValueText); },
            c => { Assert.Same(MultiaddrProtocol.Tcp, c.Protocol); Assert.Equal("80", c.ValueText); Assert.Equal(80, c.Port); },
            c => { Assert.Same(MultiaddrProtocol.Ws, c.Protocol); Assert.Equal("", c.ValueText); });
        Assert.Equal("/dns6/node.example/tcp/80/ws", address.ToString());
        Assert.Equal(new MultiaddrComponent(MultiaddrProtocol.Tcp, new byte[] { 0, 80 }), address.Components[1]);
    }

    [Theory]
    [InlineData("/ip6/2001:db8::1/tcp/1", "/ip6/2001:db8::1/tcp/1")]
    [InlineData("/ip6/2001:0DB8:0000::0001/tcp/1", "/ip6/2001:db8::1/tcp/1")]
    [InlineData("/ip6/::ffff:1.2.3.4/tcp/1", "/ip6/::ffff:1.2.3.4/tcp/1")]
    [InlineData("/ip4/1.2.3.4/tcp/80/", "/ip4/1.2.3.4/tcp/80")]
    [InlineData("/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/tcp/0")]
    [InlineData("/ip4/1.2.3.4/udp/443/quic-v1/p2p-circuit", "/ip4/1.2.3.4/udp/443/quic-v1/p2p-circuit")]
    public void Text_is_normalised(string input, string expected) => Assert.Equal(expected, Multiaddr.Parse(input).ToString());

    [Theory]
    [InlineData("/foo/1", "unknown protocol 'foo' in '/foo/1'")]
    [InlineData("/ip4/300.1.1.1", "ip4 value '300.1.1.1' is not an IPv4 address")]
    [InlineData("/ip4/1.2.3", "ip4 value '1.2.3' is not an IPv4 address")]
    [InlineData("/ip4/01.2.3.4", "ip4 value '01.2.3.4' is not an IPv4 address")]
    [InlineData("/ip6/1.2.3.4", "ip6 value '1.2.3.4' is not an IPv6 address")]
    [InlineData("/ip6/fe80::1%eth0", "ip6 value 'fe80::1%eth0' is not an IPv6 address")]
    [InlineData("/ip4/1.2.3.4/tcp/65536", "tcp value '65536' is not a port number (0-65535)")]
    [InlineData("/ip4/1.2.3.4/tcp/-1", "tcp value '-1' is not a port number (0-65535)")]
    [InlineData("/ip4/1.2.3.4/tcp", "protocol 'tcp' needs a value in '/ip4/1.2.3.4/tcp'")]
    [InlineData("/p2p/notapeer", "p2p value 'notapeer' is not a peer ID")]
    [InlineData("ip4/1.2.3.4", "must start with '/'")]
    [InlineData("", "must start with '/'")]
    [InlineData("/", "is empty")]
    [InlineData("/ip4//tcp/1", "ip4 value '' is not an IPv4 address")]
    [InlineData("//ip4/1.2.3.4", "empty protocol name")]
    public void Parse_errors_name_what_was_wrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Multiaddr.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.False(Multiaddr.TryParse(text, out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("", "empty multiaddr")]
    [InlineData("e707", "unknown multiaddr protocol code 999 (0x3e7) at byte 0")]
    [InlineData("047f000001e707", "unknown multiaddr protocol code 999 (0x3e7) at byte 5")]
    [InlineData("047f0000", "truncated ip4 value at byte 1")]
    [InlineData("047f000001061f", "truncated tcp value at byte 6")]
    [InlineData("047f000001a5", "truncated varint at byte 5")]
    [InlineData("047f000001a503ff", "truncated varint at byte 7")]
    [InlineData("a503031201aa", "p2p value at byte 3 is not a peer ID")]
    [InlineData("a50302", "truncated p2p value at byte 2: declares 2 bytes, 0 left")]
    [InlineData("3500", "dns value at byte 2 is empty")]
    [InlineData("3503612f62", "contains '/'")]
    [InlineData("3501ff", "not valid UTF-8")]
    [InlineData("8000", "not minimally encoded")]
    public void Binary_errors_name_what_was_wrong(string hex, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Multiaddr.FromBytes(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message);
        Assert.False(Multiaddr.TryFromBytes(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Peer_id_helpers()
    {
        var peer = PeerIdOf(Ed25519PeerId);
        var transport = Multiaddr.Parse("/ip4/10.0.0.1/tcp/4001");
        var full = transport.WithPeerId(peer);
        Assert.Equal("/ip4/10.0.0.1/tcp/4001/p2p/" + Ed25519PeerId, full.ToString());
        Assert.Equal(peer, full.PeerId);
        Assert.Null(transport.PeerId);
        Assert.Equal(transport, full.WithoutPeerId());
        Assert.Same(transport, transport.WithoutPeerId());

        var other = PeerIdOf(RsaPeerId);
        Assert.Equal(transport.WithPeerId(other), full.WithPeerId(other));
        Assert.Equal("", Multiaddr.Parse("/p2p/" + RsaPeerId).WithoutPeerId().ToString());
    }

    [Fact]
    public void Encapsulate_appends()
    {
        var outer = Multiaddr.Parse("/ip4/1.2.3.4/tcp/5");
        var inner = Multiaddr.Parse("/ws/p2p/" + Ed25519PeerId);
        var joined = outer.Encapsulate(inner);
        Assert.Equal("/ip4/1.2.3.4/tcp/5/ws/p2p/" + Ed25519PeerId, joined.ToString());
        Assert.Equal(joined, Multiaddr.FromBytes([.. outer.ToBytes(), .. inner.ToBytes()]));
    }

    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/4001", true, "1.2.3.4", 4001)]
    [InlineData("/ip6/::1/tcp/1", true, "::1", 1)]
    [InlineData("/dns/example.org/tcp/443", true, "example.org", 443)]
    [InlineData("/dns4/example.org/tcp/443/p2p/" + Ed25519PeerId, true, "example.org", 443)]
    [InlineData("/dns6/example.org/tcp/443", true, "example.org", 443)]
    [InlineData("/ip4/1.2.3.4/udp/4001", false, "", 0)]
    [InlineData("/ip4/1.2.3.4/tcp/4001/ws", false, "", 0)]
    [InlineData("/dnsaddr/example.org/tcp/1", false, "", 0)]
    [InlineData("/ip4/1.2.3.4", false, "", 0)]
    [InlineData("/p2p/" + Ed25519PeerId, false, "", 0)]
    public void Tcp_target(string text, bool ok, string host, int port)
    {
        Assert.Equal(ok, Multiaddr.Parse(text).TryGetTcpTarget(out var actualHost, out var actualPort));
        Assert.Equal(host, actualHost);
        Assert.Equal(port, actualPort);
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/1", true)]
    [InlineData("/ip4/127.255.0.9", true)]
    [InlineData("/ip6/::1/tcp/1", true)]
    [InlineData("/ip6/::ffff:127.0.0.1/tcp/1", true)]
    [InlineData("/dns4/localhost/tcp/1", true)]
    [InlineData("/ip4/10.0.0.1/tcp/1", false)]
    [InlineData("/ip6/::2/tcp/1", false)]
    [InlineData("/dns4/example.com/tcp/1", false)]
    [InlineData("/p2p/" + Ed25519PeerId, false)]
    public void Loopback(string text, bool expected) => Assert.Equal(expected, Multiaddr.Parse(text).IsLoopback);

    [Fact]
    public void From_endpoint()
    {
        Assert.Equal("/ip4/192.168.1.2/tcp/8080", Multiaddr.FromEndPoint(new IPEndPoint(IPAddress.Parse("192.168.1.2"), 8080)).ToString());
        Assert.Equal("/ip6/fe80::1/tcp/1", Multiaddr.FromEndPoint(new IPEndPoint(IPAddress.Parse("fe80::1%2"), 1)).ToString());
        Assert.Equal("/ip4/10.0.0.1/tcp/65535", Multiaddr.FromEndPoint(new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 65535)).ToString());
    }

    [Fact]
    public void Value_equality()
    {
        var a = Multiaddr.Parse("/ip4/1.2.3.4/tcp/5");
        var b = Multiaddr.FromBytes(a.ToBytes());
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Multiaddr.Parse("/ip4/1.2.3.4/tcp/6"));
        Assert.Single(new HashSet<Multiaddr> { a, b });
    }

    [Fact]
    public void ToBytes_returns_a_copy()
    {
        var a = Multiaddr.Parse("/ip4/1.2.3.4/tcp/5");
        a.ToBytes()[0] = 0x29;
        Assert.Equal("/ip4/1.2.3.4/tcp/5", Multiaddr.FromBytes(a.ToBytes()).ToString());
    }

    [Fact]
    public void FromComponents_validates_sizes()
    {
        var ok = Multiaddr.FromComponents([new(MultiaddrProtocol.Ip4, new byte[] { 1, 2, 3, 4 }), new(MultiaddrProtocol.Tcp, new byte[] { 0, 1 })]);
        Assert.Equal("/ip4/1.2.3.4/tcp/1", ok.ToString());
        Assert.Throws<FormatException>(() => Multiaddr.FromComponents([new(MultiaddrProtocol.Ip4, new byte[] { 1, 2, 3 })]));
        Assert.Throws<FormatException>(() => Multiaddr.FromComponents([new(MultiaddrProtocol.Dns, ReadOnlyMemory<byte>.Empty)]));
    }

    private static PeerId PeerIdOf(string text) => PeerId.Parse(text);
}
