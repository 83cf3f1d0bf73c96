using System.Text.Json;
using PhysarumSM.TestKit;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>The admin API's read routes on real nodes: what an operator (and the dashboard) sees after one gateway request.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AdminApiTests(DashboardMesh mesh)
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Nodes_services_instances_rtt_and_events_show_a_service_after_one_gateway_request()
    {
        using var guard = Guard();
        var ct = guard.Token;
        const string service = "api-hello";
        await mesh.AddHelloWorldAsync(service, ct);
        Assert.Equal("Hello, world", (await mesh.RequestThroughGatewayAsync(mesh.Registry, service, ct)).Trim());
        var container = Assert.Single(await mesh.ContainersAsync("physarum.service", service, ct));

        // Services: the registration with its requirements (samples/HelloWorld/image-conf.json: soft 100 ms, hard 1000 ms).
        var services = await mesh.GetAsync(mesh.Registry, "api/services", ct);
        var hello = Assert.Single(services.Items("services"), s => s.Text("name") == service);
        Assert.NotEmpty(hello.Text("image"));
        Assert.Equal(100, hello.Get("softRttMs").GetInt32());
        Assert.Equal(1000, hello.Get("hardRttMs").GetInt32());
        Assert.True(hello.Get("version").GetInt64() > 0);
        Assert.True(hello.Get("registeredAt").GetDateTimeOffset() <= hello.Get("updatedAt").GetDateTimeOffset());
        _ = hello.Get("cpuReq").GetDouble();
        _ = hello.Get("memoryReq").GetInt64();

        // Instances: flattened from the nodes' heartbeats, which carry the gateway's request count.
        JsonElement instance = default;
        await Eventually.HoldsAsync(async () =>
        {
            var listed = (await mesh.GetAsync(mesh.Registry, "api/instances", ct)).Items("instances").Where(i => i.Text("service") == service).ToList();
            instance = listed.SingleOrDefault();
            return listed.Count == 1 && instance.Get("requests").GetInt64() >= 1;
        }, ct, "the instance is listed with its request");
        Assert.Equal("running", instance.Text("state"));
        Assert.Equal(mesh.Registry.PeerId, instance.Text("node"));
        Assert.Equal(container.ID, instance.Text("containerId"));
        Assert.StartsWith($"{service}/{mesh.Registry.PeerId}/", instance.Text("instanceId"), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, instance.Get("lastRequestAt").ValueKind);
        _ = instance.Get("since").GetDateTimeOffset();
        _ = instance.Text("nodeHostName");

        // Events: the registration and the start, paged by sequence.
        var instanceId = instance.Text("instanceId");
        JsonElement events = default;
        await Eventually.HoldsAsync(async () =>
        {
            events = await mesh.GetAsync(mesh.Registry, "api/events?after=0", ct);
            return events.Items("events").Any(e => e.Text("kind") == "InstanceStarted" && e.Text("instanceId") == instanceId);
        }, ct, "an InstanceStarted event for the instance");
        Assert.Contains(events.Items("events"), e => e.Text("kind") == "ServiceRegistered" && e.Text("service") == service);
        var started = events.Items("events").First(e => e.Text("kind") == "InstanceStarted" && e.Text("instanceId") == instanceId);
        Assert.Equal(mesh.Registry.PeerId, started.Text("nodeId"));
        Assert.NotEmpty(started.Text("message"));
        var last = events.Get("last").GetInt64();
        Assert.True(last >= started.Get("sequence").GetInt64());
        var later = await mesh.GetAsync(mesh.Registry, $"api/events?after={last}", ct);
        Assert.DoesNotContain(later.Items("events"), e => e.Get("sequence").GetInt64() <= last);
        Assert.False(later.Get("missed").GetBoolean());

        // Nodes: both, with roles, addresses, capacity (allocator only), uptime, URLs and which one answered.
        var nodes = await mesh.GetAsync(mesh.Observer, "api/nodes", ct);
        Assert.Equal(mesh.Observer.PeerId, nodes.Text("self"));
        var registry = Assert.Single(nodes.Items("nodes"), n => n.Text("peerId") == mesh.Registry.PeerId);
        var observer = Assert.Single(nodes.Items("nodes"), n => n.Text("peerId") == mesh.Observer.PeerId);
        Assert.Equal(["overlay", "registry", "allocator", "gateway"], registry.Items("roles").Select(r => r.GetString()));
        Assert.Equal(["overlay", "gateway"], observer.Items("roles").Select(r => r.GetString()));
        Assert.Contains(mesh.Registry.Address, registry.Items("addresses").Select(a => a.GetString()));
        Assert.True(registry.Get("capacity").Get("maxInstances").GetInt32() > 0);
        Assert.True(registry.Get("capacity").Get("instances").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, observer.Get("capacity").ValueKind);
        Assert.True(registry.Get("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal(mesh.Registry.Ports.AdminUri.ToString(), registry.Text("adminUrl"));
        Assert.Equal(mesh.Registry.Ports.ProxyUri.ToString(), registry.Text("gatewayUrl"));
        Assert.False(registry.Get("stale").GetBoolean());
        Assert.True(observer.Get("self").GetBoolean());
        Assert.False(registry.Get("self").GetBoolean());
        Assert.NotEmpty(registry.Text("hostName"));
        _ = registry.Get("startedAt").GetDateTimeOffset();
        _ = registry.Get("lastHeardAt").GetDateTimeOffset();

        // RTT: a 2×2 matrix, the diagonal empty, each direction measured by the ping monitors.
        JsonElement rtt = default;
        await Eventually.HoldsAsync(async () =>
        {
            rtt = await mesh.GetAsync(mesh.Registry, "api/rtt", ct);
            var cells = rtt.Get("cells");
            return rtt.Get("nodes").GetArrayLength() == 2 && cells[0][1].ValueKind == JsonValueKind.Object && cells[1][0].ValueKind == JsonValueKind.Object;
        }, ct, "both links measured");
        var order = rtt.Items("nodes").Select(n => n.Text("peerId")).ToList();
        Assert.Equal(new[] { mesh.Registry.PeerId, mesh.Observer.PeerId }.Order(StringComparer.Ordinal), order);
        Assert.All(rtt.Items("nodes"), n => Assert.NotEmpty(n.Text("hostName")));
        Assert.Equal(JsonValueKind.Null, rtt.Get("cells")[0][0].ValueKind);
        Assert.Equal(JsonValueKind.Null, rtt.Get("cells")[1][1].ValueKind);
        var link = rtt.Get("cells")[0][1];
        Assert.True(link.Get("ewmaMs").GetDouble() >= 0);
        Assert.True(link.Get("lastMs").GetDouble() >= 0);
        Assert.True(link.Get("samples").GetInt64() >= 1);
        _ = link.Get("seenAt").GetDateTimeOffset();
    }

    [Fact]
    public async Task Bad_queries_and_unknown_routes_answer_a_json_error()
    {
        using var guard = Guard();
        var ct = guard.Token;
        var (status, body) = await mesh.SendAsync(mesh.Registry, HttpMethod.Get, "api/events?after=soon", null, ct);
        Assert.Equal(400, status);
        Assert.Contains("after", body.Text("error"), StringComparison.Ordinal);

        (status, body) = await mesh.SendAsync(mesh.Registry, HttpMethod.Get, "api/no-such-thing", null, ct);
        Assert.Equal(404, status);
        Assert.Contains("no admin route", body.Text("error"), StringComparison.Ordinal);

        // The admin endpoints answer only on the admin listener, whatever Host the client claims.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(mesh.Registry.MetricsUri, "/api/nodes"));
        request.Headers.Host = $"127.0.0.1:{mesh.Registry.Ports.Admin}";
        using var response = await mesh.Http.SendAsync(request, ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
