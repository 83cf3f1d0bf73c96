using System.Net;
using PhysarumSM.Client.Mesh;
using PhysarumSM.Contracts;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>
/// Which node the client enters through: options, then the node behind its configured Orleans gateway, then one on this
/// machine, then any whose gateway is reachable from here; never a stale node; loopback URLs only of local nodes.
/// </summary>
public sealed class MeshEntryChoiceTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("10.9.8.7");

    private static MeshNode Node(string peerId, IPAddress silo, int siloPort, string gatewayUrl, bool stale = false) => new()
    {
        Info = new NodeInfo
        {
            PeerId = peerId,
            Silo = SiloAddress.New(new IPEndPoint(silo, siloPort), 1),
            GatewayUrl = gatewayUrl,
        },
        IsStale = stale,
    };

    private static bool LoopbackOnly(IPAddress address) => IPAddress.IsLoopback(address);

    private static MeshEntry Choose(IReadOnlyList<MeshNode> nodes, IReadOnlyList<IPEndPoint>? silos = null, string? fromNode = null, Uri? gatewayUrl = null) =>
        MeshEntryChoice.Choose(nodes, silos ?? [], LoopbackOnly, fromNode, gatewayUrl);

    [Fact]
    public void The_node_behind_the_configured_gateway_wins()
    {
        var nodes = new[]
        {
            Node("A", IPAddress.Loopback, 11111, "http://127.0.0.1:4200/"),
            Node("B", IPAddress.Loopback, 11112, "http://127.0.0.1:4201/"),
        };
        var entry = Choose(nodes, [new IPEndPoint(IPAddress.Loopback, 11112)]);
        Assert.Equal("B", entry.FromNode);
        Assert.Equal(new Uri("http://127.0.0.1:4201/"), entry.Gateway);
    }

    [Fact]
    public void Without_a_gateway_match_a_node_on_this_machine_is_preferred_over_a_remote_one()
    {
        var nodes = new[]
        {
            Node("A-remote", Remote, 11111, "http://10.9.8.7:4200/"),
            Node("B-local", IPAddress.Loopback, 11111, "http://127.0.0.1:4200/"),
        };
        var entry = Choose(nodes);
        Assert.Equal("B-local", entry.FromNode);
        Assert.Equal(new Uri("http://127.0.0.1:4200/"), entry.Gateway);
    }

    [Fact]
    public void A_remote_nodes_loopback_gateway_is_not_reachable_from_here()
    {
        var entry = Choose([Node("A-remote", Remote, 11111, "http://127.0.0.1:4200/")]);
        Assert.Equal("A-remote", entry.FromNode);   // resolving from it still works over Orleans
        Assert.Null(entry.Gateway);
        Assert.False(entry.IsComplete);
    }

    [Fact]
    public void A_remote_node_that_publishes_a_routable_gateway_is_used()
    {
        var entry = Choose([Node("A-remote", Remote, 11111, "http://10.9.8.7:4200")]);
        Assert.Equal(new Uri("http://10.9.8.7:4200/"), entry.Gateway);
    }

    [Fact]
    public void Stale_nodes_are_never_chosen()
    {
        var nodes = new[]
        {
            Node("A", IPAddress.Loopback, 11111, "http://127.0.0.1:4200/", stale: true),
            Node("B", IPAddress.Loopback, 11112, "http://127.0.0.1:4201/"),
        };
        var entry = Choose(nodes, [new IPEndPoint(IPAddress.Loopback, 11111)]);
        Assert.Equal("B", entry.FromNode);
        Assert.Equal(new Uri("http://127.0.0.1:4201/"), entry.Gateway);
    }

    [Fact]
    public void Options_override_the_choice_and_from_node_picks_its_own_gateway()
    {
        var nodes = new[]
        {
            Node("A", IPAddress.Loopback, 11111, "http://127.0.0.1:4200/"),
            Node("B", IPAddress.Loopback, 11112, "http://127.0.0.1:4201/"),
        };
        var entry = Choose(nodes, [new IPEndPoint(IPAddress.Loopback, 11111)], fromNode: "B");
        Assert.Equal("B", entry.FromNode);
        Assert.Equal(new Uri("http://127.0.0.1:4201/"), entry.Gateway);

        var pinned = Choose(nodes, fromNode: "B", gatewayUrl: new Uri("http://gw.example:4200/"));
        Assert.Equal(new Uri("http://gw.example:4200/"), pinned.Gateway);
    }

    [Fact]
    public void An_empty_mesh_yields_nothing()
    {
        var entry = Choose([]);
        Assert.Null(entry.FromNode);
        Assert.Null(entry.Gateway);
    }

    [Fact]
    public void A_node_without_a_gateway_url_can_still_be_resolved_from()
    {
        var entry = Choose([Node("A", IPAddress.Loopback, 11111, "")]);
        Assert.Equal("A", entry.FromNode);
        Assert.Null(entry.Gateway);
    }
}
