using System.Text.Json;
using PhysarumSM.TestKit;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>The admin actions: refused without the node's token (403 when it has none), and working with it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AdminActionTests(DashboardMesh mesh)
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Cull_and_delete_refuse_without_the_right_token_and_work_with_it()
    {
        using var guard = Guard();
        var ct = guard.Token;
        const string service = "api-cull";
        await mesh.AddHelloWorldAsync(service, ct);
        Assert.Equal("Hello, world", (await mesh.RequestThroughGatewayAsync(mesh.Registry, service, ct)).Trim());
        var instanceId = "";
        await Eventually.HoldsAsync(async () =>
        {
            var listed = (await mesh.GetAsync(mesh.Registry, "api/instances", ct)).Items("instances").Where(i => i.Text("service") == service).ToList();
            instanceId = listed.Count == 1 ? listed[0].Text("instanceId") : "";
            return instanceId.Length > 0;
        }, ct, "the instance is listed");
        var cullQuery = $"api/instances/cull?id={Uri.EscapeDataString(instanceId)}";

        // A node started without -admin-token refuses every action, whatever the request carries.
        await AssertRefusedAsync(mesh.Observer, HttpMethod.Post, cullQuery, DashboardMesh.AdminToken, 403, "actions are disabled: start the node with -admin-token", ct);
        await AssertRefusedAsync(mesh.Observer, HttpMethod.Delete, $"api/services/{service}", DashboardMesh.AdminToken, 403, "actions are disabled", ct);

        // With a token configured: none or a wrong one is a 401.
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Post, cullQuery, null, 401, "Authorization: Bearer", ct);
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Post, cullQuery, "not-the-token", 401, "wrong", ct);
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Delete, $"api/services/{service}", null, 401, "Authorization: Bearer", ct);
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Delete, $"api/services/{service}", "not-the-token", 401, "wrong", ct);
        Assert.Single(await mesh.ContainersAsync("physarum.instance", instanceId, ct));

        // An id no node lists is refused before any grain is called (calling one would start a container).
        var unknown = $"{service}/{mesh.Registry.PeerId}/7";
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Post, $"api/instances/{unknown}/cull", DashboardMesh.AdminToken, 404, "no node runs instance", ct);
        Assert.Empty(await mesh.ContainersAsync("physarum.instance", unknown, ct));

        // The right token culls: the container goes and the event log says so. (The id in the path, slashes as %2F.)
        var (status, body) = await mesh.SendAsync(mesh.Registry, HttpMethod.Post, $"api/instances/{Uri.EscapeDataString(instanceId)}/cull", DashboardMesh.AdminToken, ct);
        Assert.True(status == 200, body.ToString());
        Assert.Equal(instanceId, body.Text("target"));
        await Eventually.HoldsAsync(async () => (await mesh.ContainersAsync("physarum.instance", instanceId, ct)).Count == 0, ct, "the container is removed");
        await Eventually.HoldsAsync(async () => (await mesh.GetAsync(mesh.Registry, "api/events", ct)).Items("events")
            .Any(e => e.Text("kind") == "InstanceStopped" && e.Text("instanceId") == instanceId), ct, "an InstanceStopped event");
        await Eventually.HoldsAsync(async () => !(await mesh.GetAsync(mesh.Registry, "api/instances", ct)).Items("instances")
            .Any(i => i.Text("instanceId") == instanceId), ct, "the instance is no longer listed");

        // The right token deletes the service; a second delete finds nothing.
        (status, body) = await mesh.SendAsync(mesh.Registry, HttpMethod.Delete, $"api/services/{service}", DashboardMesh.AdminToken, ct);
        Assert.True(status == 200, body.ToString());
        Assert.DoesNotContain((await mesh.GetAsync(mesh.Registry, "api/services", ct)).Items("services"), s => s.Text("name") == service);
        await Eventually.HoldsAsync(async () => (await mesh.GetAsync(mesh.Registry, "api/events", ct)).Items("events")
            .Any(e => e.Text("kind") == "ServiceDeleted" && e.Text("service") == service), ct, "a ServiceDeleted event");
        await AssertRefusedAsync(mesh.Registry, HttpMethod.Delete, $"api/services/{service}", DashboardMesh.AdminToken, 404, "not registered", ct);
    }

    private async Task AssertRefusedAsync(NodeProcess node, HttpMethod method, string route, string? token, int expected, string because, CancellationToken ct)
    {
        var (status, body) = await mesh.SendAsync(node, method, route, token, ct);
        Assert.True(status == expected, $"{method} {route}: expected {expected}, got {status} {body}");
        Assert.Contains(because, body.Text("error"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
    }
}
