using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Registry.Tests;

public sealed class EtcdStorageOptionsTests
{
    [Theory]
    [InlineData("10.0.0.5", "http://10.0.0.5:2379")]
    [InlineData("10.0.0.5:3379", "http://10.0.0.5:3379")]
    [InlineData("http://10.0.0.5", "http://10.0.0.5:2379")]
    [InlineData("http://10.0.0.5:80", "http://10.0.0.5:80")]
    [InlineData("https://etcd.local:2379", "https://etcd.local:2379")]
    [InlineData("[::1]:2379", "http://[::1]:2379")]
    public void Endpoints_parse_like_the_flag_takes_them(string flag, string url) =>
        Assert.Equal([url], EtcdStorageOptions.ParseEndpoints(flag));

    [Fact]
    public void Several_endpoints_are_comma_separated()
    {
        Assert.Equal(["http://a:2379", "http://b:2390"], EtcdStorageOptions.ParseEndpoints(" a , b:2390,"));
    }

    [Theory]
    [InlineData("ftp://a")]
    [InlineData("http://")]
    public void Malformed_endpoints_are_refused(string flag) =>
        Assert.Throws<FormatException>(() => EtcdStorageOptions.ParseEndpoints(flag));

    [Fact]
    public void A_store_without_endpoints_says_which_flags_give_one()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new EtcdStateStore(new EtcdStorageOptions(), NullLogger<EtcdStateStore>.Instance));

        Assert.Contains("-new-etcd-cluster or pass -etcd-endpoints", error.Message);
    }

    [Theory]
    [InlineData("physarum")]
    [InlineData("/physarum/")]
    [InlineData("")]
    public void Key_prefixes_must_be_absolute_without_a_trailing_slash(string prefix)
    {
        var options = new EtcdStorageOptions { Endpoints = ["http://127.0.0.1:2379"], KeyPrefix = prefix };

        var error = Assert.Throws<OptionsValidationException>(() => new EtcdStateStore(options, NullLogger<EtcdStateStore>.Instance));

        Assert.Contains("KeyPrefix", error.Message);
    }

    [Fact]
    public void Defaults_follow_the_original_layout()
    {
        var options = new EtcdStorageOptions();

        Assert.Equal("/physarum", options.KeyPrefix);
        Assert.Equal(2379, EtcdStorageOptions.DefaultClientPort);
        Assert.True(options.AllowStaleReads);
    }
}
