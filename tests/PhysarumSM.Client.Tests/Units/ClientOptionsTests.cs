using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>Options: bound from "Physarum:Client", then the delegate; bad values fail at registration naming the key.</summary>
public sealed class ClientOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Defaults_are_the_nodes_cluster_and_the_default_gateway_on_this_machine()
    {
        var options = PhysarumClientHostingExtensions.Read(null, null);
        Assert.Equal("physarum", options.ClusterId);
        Assert.Equal("physarum", options.ServiceId);
        Assert.Empty(options.Gateways);
        Assert.Equal([PhysarumClientOptions.DefaultGateway], options.EffectiveGateways);
        Assert.False(options.UsesRedis);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.EventPollInterval);
    }

    [Fact]
    public void Configuration_is_bound_then_the_delegate_applies()
    {
        var config = Config(
            ("Physarum:Client:Gateways:0", "127.0.0.1:30002"),
            ("Physarum:Client:Gateways:1", "localhost:30003"),
            ("Physarum:Client:GatewayUrl", "http://127.0.0.1:4201/"),
            ("Physarum:Client:FromNode", "12D3KooWFrom"),
            ("Physarum:Client:EventPollInterval", "00:00:02"),
            ("Physarum:Client:ClusterId", "other"));
        var options = PhysarumClientHostingExtensions.Read(config, o => o.ClusterId = "changed");
        Assert.Equal(["127.0.0.1:30002", "localhost:30003"], options.EffectiveGateways);
        Assert.Equal("http://127.0.0.1:4201/", options.GatewayUrl);
        Assert.Equal("12D3KooWFrom", options.FromNode);
        Assert.Equal(TimeSpan.FromSeconds(2), options.EventPollInterval);
        Assert.Equal("changed", options.ClusterId);
    }

    [Fact]
    public void Redis_replaces_the_gateway_list()
    {
        var options = PhysarumClientHostingExtensions.Read(Config(("Physarum:Client:Redis", "127.0.0.1:6379")), null);
        Assert.True(options.UsesRedis);
    }

    [Theory]
    [InlineData("Physarum:Client:Gateways:0", "no-port", "Gateways entry 'no-port' is not HOST:PORT")]
    [InlineData("Physarum:Client:Gateways:0", "host:99999", "Gateways entry 'host:99999' is not HOST:PORT")]
    [InlineData("Physarum:Client:GatewayUrl", "127.0.0.1:4200", "GatewayUrl '127.0.0.1:4200' is not an absolute http:// or https:// URL")]
    [InlineData("Physarum:Client:FromNode", "a/b", "FromNode 'a/b' is not a peer ID")]
    [InlineData("Physarum:Client:EventPollInterval", "00:00:00", "EventPollInterval must be positive")]
    [InlineData("Physarum:Client:ClusterId", " ", "ClusterId must not be empty")]
    public void A_bad_value_fails_at_registration_naming_the_key(string key, string value, string message)
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<OptionsValidationException>(() => services.AddPhysarumClient(Config((key, value))));
        Assert.Contains("Physarum:Client", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_and_a_gateway_list_together_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => PhysarumClientHostingExtensions.Read(
            Config(("Physarum:Client:Redis", "127.0.0.1:6379"), ("Physarum:Client:Gateways:0", "127.0.0.1:30000")), null));
        Assert.Contains("set Redis or Gateways, not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_facade_is_one_singleton_with_validated_options()
    {
        var services = new ServiceCollection();
        services.AddPhysarumClient(configure: o => o.Gateways = ["127.0.0.1:30000"]);
        var registration = Assert.Single(services, d => d.ServiceType == typeof(IPhysarumClient));
        Assert.Equal(ServiceLifetime.Singleton, registration.Lifetime);
        Assert.Contains(services, d => d.ServiceType == typeof(IClusterClient));
    }
}
