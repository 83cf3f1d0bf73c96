using PhysarumSM.Node.Configuration;

namespace PhysarumSM.Node.Tests.Configuration;

/// <summary>The allocator's capacity and timing flags parse as documented, and bad values name the flag.</summary>
public sealed class NodeCommandLineParseTests
{
    private static NodeOptions Parse(params string[] args) => NodeCommandLine.Parse(args, _ => null);

    [Fact]
    public void Capacity_flags_default_to_the_machine_and_32_instances()
    {
        var options = Parse();
        Assert.Equal(32, options.MaxInstances);
        Assert.Null(options.Cpus);
        Assert.Null(options.MemoryMiB);
    }

    [Fact]
    public void Capacity_and_timing_flags_are_read_in_either_form()
    {
        var options = Parse("-max-instances", "3", "--cpus=1.5", "-memory", "2048", "-idle-timeout", "250ms", "-warm-pool-ttl=0");
        Assert.Equal(3, options.MaxInstances);
        Assert.Equal(1.5, options.Cpus);
        Assert.Equal(2048, options.MemoryMiB);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.IdleTimeout);
        Assert.Equal(TimeSpan.Zero, options.WarmPoolTtl);
    }

    [Theory]
    [InlineData("-max-instances", "0")]
    [InlineData("-max-instances", "-2")]
    [InlineData("-max-instances", "many")]
    [InlineData("-cpus", "0")]
    [InlineData("-cpus", "NaN")]
    [InlineData("-memory", "1.5")]
    [InlineData("-idle-timeout", "soon")]
    public void A_bad_value_is_refused_naming_its_flag(string flag, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse(flag, value));
        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_comes_from_the_flag_else_from_PHYSARUM_REDIS_so_a_password_need_not_show_in_ps()
    {
        var environment = new Dictionary<string, string> { ["PHYSARUM_REDIS"] = "10.0.0.5:6379,password=s3cret" };
        Assert.Equal("10.0.0.5:6379,password=s3cret", NodeCommandLine.Parse([], k => environment.GetValueOrDefault(k)).Redis);
        Assert.Equal("10.0.0.6:6379", NodeCommandLine.Parse(["-redis", "10.0.0.6:6379"], k => environment.GetValueOrDefault(k)).Redis);
        Assert.Null(Parse().Redis);
    }

    [Fact]
    public void The_advertised_silo_address_is_a_flag_and_without_redis_it_is_refused_naming_it()
    {
        var options = Parse("-redis", "10.0.0.5:6379", "-advertise-ip", "10.0.0.7");
        Assert.Equal("10.0.0.7", options.AdvertiseIp);
        var error = Assert.Throws<ArgumentException>(() => PhysarumSM.Node.Cluster.ClusterPlan.From(new PhysarumSM.Node.Cluster.NodeClusterOptions { AdvertisedAddress = "10.0.0.7" }));
        Assert.Contains("-advertise-ip", error.Message, StringComparison.Ordinal);
        Assert.Contains("-advertise-ip", NodeCommandLine.Usage, StringComparison.Ordinal);
    }
}
