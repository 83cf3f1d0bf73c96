using System.Net;
using Microsoft.Extensions.Hosting;
using PhysarumSM.Node.Cluster;

namespace PhysarumSM.Grains.Tests;

public sealed class NodeClusterOptionsTests
{
    [Fact]
    public void Defaults_make_a_localhost_primary_pointing_at_itself()
    {
        var plan = Assert.IsType<LocalhostClusterPlan>(ClusterPlan.From(new NodeClusterOptions()));

        Assert.Equal(("physarum", "physarum", 11111, 30000), (plan.ClusterId, plan.ServiceId, plan.SiloPort, plan.GatewayPort));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111), plan.Primary);
    }

    [Fact]
    public void A_second_local_silo_points_at_the_primary()
    {
        var options = new NodeClusterOptions { SiloPort = 11112, GatewayPort = 30001, PrimarySiloEndpoint = "localhost:11111" };

        var plan = Assert.IsType<LocalhostClusterPlan>(ClusterPlan.From(options));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111), plan.Primary);
        Assert.Equal(11112, plan.SiloPort);
    }

    [Fact]
    public void A_redis_address_switches_to_redis_membership()
    {
        var options = new NodeClusterOptions { RedisConnectionString = "10.1.2.3:6379,password=secret", AdvertisedAddress = "10.0.0.7" };

        var plan = Assert.IsType<RedisClusterPlan>(ClusterPlan.From(options));

        Assert.Equal(IPAddress.Parse("10.0.0.7"), plan.Advertised);
        Assert.Equal("10.1.2.3:6379", Assert.Single(plan.Redis.EndPoints).ToString());
        Assert.Equal("secret", plan.Redis.Password);
    }

    [Theory]
    [InlineData("x", "redis address 'x' is not HOST:PORT")]
    [InlineData("redis:", "redis address 'redis:' is not HOST:PORT")]
    [InlineData("redis:99999", "redis address 'redis:99999' is not HOST:PORT")]
    [InlineData("::1:6379", "redis address '::1:6379' is not HOST:PORT")]
    [InlineData("password=only", "redis address 'password=only' is not HOST:PORT")]
    [InlineData("a:1,b", "redis address 'b' (in 'a:1,b') is not HOST:PORT")]
    public void Bad_redis_addresses_are_named(string redis, string message)
    {
        var options = new NodeClusterOptions { RedisConnectionString = redis, AdvertisedAddress = "127.0.0.1" };

        Assert.Equal(message, Assert.Throws<ArgumentException>(() => ClusterPlan.From(options)).Message);
    }

    [Theory]
    [InlineData(0, 30000, "silo port 0 is not a TCP port (1-65535)")]
    [InlineData(11111, 70000, "gateway port 70000 is not a TCP port (1-65535)")]
    [InlineData(11111, 11111, "silo port and gateway port are both 11111; give each its own port")]
    public void Bad_ports_are_named(int silo, int gateway, string message)
    {
        var options = new NodeClusterOptions { SiloPort = silo, GatewayPort = gateway };

        Assert.Equal(message, Assert.Throws<ArgumentException>(() => ClusterPlan.From(options)).Message);
    }

    [Fact]
    public void Mode_mismatches_say_what_to_drop()
    {
        var primaryWithRedis = new NodeClusterOptions { RedisConnectionString = "r:6379", PrimarySiloEndpoint = "127.0.0.1:11111" };
        var advertisedWithoutRedis = new NodeClusterOptions { AdvertisedAddress = "10.0.0.7" };
        var badPrimary = new NodeClusterOptions { PrimarySiloEndpoint = "primary" };

        Assert.Contains("drop it", Assert.Throws<ArgumentException>(() => ClusterPlan.From(primaryWithRedis)).Message);
        Assert.Contains("needs redis clustering (-redis HOST:PORT)", Assert.Throws<ArgumentException>(() => ClusterPlan.From(advertisedWithoutRedis)).Message);
        Assert.Equal("primary silo endpoint 'primary' is not HOST:PORT", Assert.Throws<ArgumentException>(() => ClusterPlan.From(badPrimary)).Message);
    }

    [Fact]
    public void UsePhysarumClustering_fails_while_building_the_silo()
    {
        var builder = Host.CreateApplicationBuilder();

        var error = Assert.Throws<ArgumentException>(() =>
        {
            builder.UseOrleans(silo => silo.UsePhysarumClustering(new NodeClusterOptions { RedisConnectionString = "x" }));
            using var host = builder.Build();
        });

        Assert.Equal("redis address 'x' is not HOST:PORT", error.Message);
    }
}
