using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Contracts;
using PhysarumSM.TestKit;

namespace PhysarumSM.Client.Tests.InProcess;

/// <summary>Nodes, the RTT matrix and calls through the gateway a node publishes, on an in-process cluster with registered test nodes.</summary>
[Collection(ClientClusterCollection.Name)]
public sealed class MeshThroughClientTests(ClientClusterFixture fixture)
{
    /// <summary>A gateway that answers every request with 200 and remembers what it got.</summary>
    private sealed class RecordingGateway : HttpMessageHandler
    {
        public List<(HttpMethod Method, Uri Uri, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!, body));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("answered") };
        }
    }

    private async Task<NodeInfo> RegisterNodeAsync(string peerId, string gatewayUrl, CancellationToken ct) =>
        await fixture.Cluster.Client.GetNodeGrain(peerId).Register(new NodeInfo
        {
            PeerId = peerId,
            HostName = "client-tests",
            Roles = NodeRoles.Overlay,
            Silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1),   // a node on this machine
            GatewayUrl = gatewayUrl,
        }, ct);

    [Fact]
    public async Task Nodes_and_the_rtt_matrix_come_from_the_mesh_directory()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        var a = ClientClusterFixture.NewName("12D3KooWNodeA");
        var b = ClientClusterFixture.NewName("12D3KooWNodeB");
        await RegisterNodeAsync(a, "http://127.0.0.1:4290/", ct);
        await RegisterNodeAsync(b, "http://127.0.0.1:4291/", ct);
        await fixture.Cluster.Client.GetNodeGrain(a).ReportLinks(
            [new LinkSample { From = a, To = b, LastRttMs = 3, EwmaRttMs = 2.5, SampleCount = 4, SeenAt = DateTimeOffset.UtcNow }], ct);

        await using var provider = fixture.NewClient();
        var client = provider.GetRequiredService<IPhysarumClient>();
        await Eventually.HoldsAsync(async () => (await client.RttMatrixAsync(ct)).EwmaRttMs(a, b) is not null, ct, "the link a->b is in the matrix");

        var nodes = await client.NodesAsync(ct);
        Assert.Equal("http://127.0.0.1:4290/", Assert.Single(nodes, n => n.Info.PeerId == a).Info.GatewayUrl);
        Assert.Contains(nodes, n => n.Info.PeerId == b && !n.IsStale);
        var matrix = await client.RttMatrixAsync(ct);
        Assert.Equal(2.5, matrix.EwmaRttMs(a, b));
        Assert.Null(matrix.EwmaRttMs(b, a));
    }

    [Fact]
    public async Task A_call_goes_through_the_gateway_the_entry_node_publishes_with_path_query_and_body()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        var entry = ClientClusterFixture.NewName("12D3KooWEntry");
        await RegisterNodeAsync(entry, "http://127.0.0.1:4299", ct);
        var gateway = new RecordingGateway();
        await using var provider = fixture.NewClient(o => o.FromNode = entry, gateway);
        var client = provider.GetRequiredService<IPhysarumClient>();
        await Eventually.HoldsAsync(async () => (await client.NodesAsync(ct)).Any(n => n.Info.PeerId == entry), ct, "the entry node is listed");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items?x=1") { Content = new StringContent("payload") };
        using var response = await client.SendAsync("orders", request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("answered", await response.Content.ReadAsStringAsync(ct));
        var sent = Assert.Single(gateway.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(new Uri("http://127.0.0.1:4299/orders/api/items?x=1"), sent.Uri);
        Assert.Equal("payload", sent.Body);
    }

    [Fact]
    public async Task A_configured_gateway_url_needs_no_node_at_all()
    {
        var gateway = new RecordingGateway();
        await using var provider = fixture.NewClient(o =>
        {
            o.FromNode = "12D3KooWNotInTheMesh";
            o.GatewayUrl = "http://gateway.example:4200";
        }, gateway);
        var client = provider.GetRequiredService<IPhysarumClient>();

        using var response = await client.SendAsync("hello", new HttpRequestMessage(HttpMethod.Get, "/"));
        Assert.Equal(new Uri("http://gateway.example:4200/hello/"), Assert.Single(gateway.Requests).Uri);
    }

    [Fact]
    public async Task An_unreachable_gateway_is_named_in_the_error()
    {
        var port = FreePorts.Take(1)[0];   // nothing listens there
        await using var provider = fixture.NewClient(o =>
        {
            o.FromNode = "12D3KooWNotInTheMesh";
            o.GatewayUrl = $"http://127.0.0.1:{port}/";
        });
        var client = provider.GetRequiredService<IPhysarumClient>();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync("hello", new HttpRequestMessage(HttpMethod.Get, "/")));
        Assert.Contains($"the mesh gateway http://127.0.0.1:{port}/ did not answer", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
    }
}
