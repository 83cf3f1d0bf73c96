using System.Net.Sockets;
using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Hosting;

namespace PhysarumSM.Node.Tests.Configuration;

/// <summary>A node that cannot start says which flag is behind it and what to do, not only Orleans' or the socket's words.</summary>
public sealed class StartupErrorTests
{
    private static NodeOptions Parse(params string[] args) => NodeCommandLine.Parse(args, _ => null);

    private static Exception Refused(string endpoint) =>
        new InvalidOperationException($"Unable to connect to endpoint S{endpoint}:0. See InnerException", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public void A_node_that_cannot_reach_the_primary_silo_is_told_how_to_be_the_first_node_or_to_start_it()
    {
        var message = NodeApplication.Explain(Refused("127.0.0.1:11111"), Parse("-silo-port", "12000"));

        Assert.StartsWith("no primary silo answered at 127.0.0.1:11111 (-primary-silo", message, StringComparison.Ordinal);
        Assert.Contains("-primary-silo 127.0.0.1:12000", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_primary_itself_and_a_redis_node_get_the_plain_reason()
    {
        Assert.DoesNotContain("primary silo", NodeApplication.Explain(Refused("127.0.0.1:6379"), Parse()), StringComparison.Ordinal);
        Assert.DoesNotContain("primary silo", NodeApplication.Explain(Refused("10.0.0.1:11111"), Parse("-redis", "10.0.0.1:6379", "-silo-port", "12000")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_port_names_the_port_flags()
    {
        var taken = new IOException("Failed to bind: address already in use", new SocketException((int)SocketError.AddressAlreadyInUse));

        Assert.Contains("a port is taken: check -prom-listen-addr", NodeApplication.Explain(taken, Parse()), StringComparison.Ordinal);
    }
}
