using PhysarumSM.Node.Configuration;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>The admin flags: -admin-listen-addr (or off) and -admin-token with its env fallback.</summary>
public sealed class AdminFlagsTests
{
    private static NodeOptions Parse(string[] args, string? envToken = null) =>
        NodeCommandLine.Parse(args, name => name == "PHYSARUM_ADMIN_TOKEN" ? envToken : null);

    [Fact]
    public void Defaults_are_loopback_8080_and_no_token()
    {
        var options = Parse([]);
        Assert.Equal("127.0.0.1:8080", options.AdminListenAddress);
        Assert.Null(options.AdminToken);
    }

    [Fact]
    public void The_flag_beats_the_environment_and_the_environment_fills_in()
    {
        Assert.Equal("from-flag", Parse(["-admin-token", "from-flag"], envToken: "from-env").AdminToken);
        Assert.Equal("from-env", Parse([], envToken: "from-env").AdminToken);
        Assert.Equal("0.0.0.0:9090", Parse(["-admin-listen-addr=0.0.0.0:9090"]).AdminListenAddress);
        Assert.Equal("off", Parse(["-admin-listen-addr", "off"]).AdminListenAddress);
    }

    [Theory]
    [InlineData("-admin-listen-addr", "nowhere", "-admin-listen-addr 'nowhere'")]
    [InlineData("-admin-token", "", "-admin-token must not be empty")]
    public void Bad_values_name_the_flag(string flag, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse([flag, value]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_lists_both_flags() =>
        Assert.All(["-admin-listen-addr ADDR", "-admin-token TOKEN"], f => Assert.Contains(f, NodeCommandLine.Usage, StringComparison.Ordinal));

    [Theory]
    [InlineData("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21)]
    [InlineData("rgb(15, 61, 20)", "rgb(205, 236, 207)", 9.71)]
    public void Contrast_is_the_wcag_ratio(string foreground, string background, double expected) =>
        Assert.Equal(expected, Contrast.Ratio(foreground, background), precision: 2);
}
