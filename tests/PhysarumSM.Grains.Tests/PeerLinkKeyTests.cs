using PhysarumSM.Contracts;

namespace PhysarumSM.Grains.Tests;

public sealed class PeerLinkKeyTests
{
    [Fact]
    public void Format_and_parse_round_trip()
    {
        var text = PeerLinkKey.Format("QmFrom", "12D3KooWTo");

        Assert.Equal("QmFrom->12D3KooWTo", text);
        Assert.Equal(new PeerLinkKey("QmFrom", "12D3KooWTo"), PeerLinkKey.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("QmFrom")]
    [InlineData("->QmTo")]
    [InlineData("QmFrom->")]
    [InlineData("Qm From->QmTo")]
    [InlineData("QmA->QmB->QmC")]
    public void Parse_rejects_malformed_keys_with_the_expected_shape(string key)
    {
        var error = Assert.Throws<FormatException>(() => PeerLinkKey.Parse(key));

        Assert.Equal($"peer link key '{key}' is not FROM->TO (two peer IDs joined by '->')", error.Message);
        Assert.False(PeerLinkKey.TryParse(key, out _));
    }

    [Theory]
    [InlineData("", "QmTo")]
    [InlineData("QmFrom", " ")]
    [InlineData("Qm->X", "QmTo")]
    public void Format_rejects_peer_ids_that_would_make_the_key_ambiguous(string from, string to)
    {
        Assert.Throws<ArgumentException>(() => PeerLinkKey.Format(from, to));
    }
}
