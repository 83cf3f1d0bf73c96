using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Tests.Instances;

public sealed class InstanceKeyTests
{
    [Fact]
    public void Format_and_Parse_round_trip()
    {
        var key = new InstanceKey("hello-world", "12D3KooWAbc", 3);

        Assert.Equal("hello-world/12D3KooWAbc/3", key.Format());
        Assert.Equal(key, InstanceKey.Parse(key.Format()));
        Assert.True(InstanceKey.TryParse("a/b/0", out var parsed));
        Assert.Equal(new InstanceKey("a", "b", 0), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("hello/node")]
    [InlineData("hello/node/0/extra")]
    [InlineData("hello/node/x")]
    [InlineData("hello/node/-1")]
    [InlineData("/node/0")]
    [InlineData("hello//0")]
    public void Parse_rejects_malformed_keys_quoting_them(string text)
    {
        var error = Assert.Throws<FormatException>(() => InstanceKey.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.False(InstanceKey.TryParse(text, out _));
    }

    [Fact]
    public void Format_rejects_parts_that_would_not_parse_back()
    {
        Assert.Throws<FormatException>(() => new InstanceKey("a/b", "node", 0).Format());
        Assert.Throws<FormatException>(() => new InstanceKey("a", "", 0).Format());
        Assert.Throws<FormatException>(() => new InstanceKey("a", "node", -1).Format());
    }
}
