using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using PhysarumSM.Cli.Overlay;
using ContainerSpec = PhysarumSM.Containers.Runtime.ContainerSpec;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Node.Tests.Integration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Security;

/// <summary>
/// The PSK (flag or P2P_PSK) and the admin token (flag or PHYSARUM_ADMIN_TOKEN) never leave the node except where the
/// contract puts them (P2P_PSK in the environment of the node's own containers): not in any log line, even with -debug,
/// not in any /api/ answer, page, Orleans Dashboard answer or metric, and not in the CLI's output.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class PskSecrecyTests
{
    /// <summary>Distinctive, so a hit cannot be a coincidence.</summary>
    private const string Psk = "psk-secrecy-7Kq2-zebra-lantern";

    private const string Token = "admin-token-secrecy-Vb81-quartz";

    private const string Service = "secrecy-hello";

    [Fact]
    public void Settings_records_say_a_psk_is_set_without_printing_it()
    {
        var overlay = new OverlaySettings([Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001")], Psk);
        Assert.DoesNotContain(Psk, overlay.ToString(), StringComparison.Ordinal);
        Assert.Contains("Psk = (set, not shown)", overlay.ToString(), StringComparison.Ordinal);
        Assert.Contains("/ip4/127.0.0.1/tcp/4001", overlay.ToString(), StringComparison.Ordinal);
        Assert.Contains("Psk = none", (overlay with { Psk = null }).ToString(), StringComparison.Ordinal);

        var spec = new ContainerSpec { Image = "img", ServiceName = "svc", InstanceId = "svc/node/0", NodeId = "node", Psk = Psk };
        Assert.DoesNotContain(Psk, spec.ToString(), StringComparison.Ordinal);
        Assert.Contains("svc/node/0", spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Psk_and_admin_token_appear_in_no_log_line_api_answer_metric_or_cli_output()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        await using var docker = await DockerEngine.StartAsync(ct);
        await DockerEngine.PublishHelloWorldAsync(ct);
        await using var mesh = new TestMesh();
        var seen = new StringBuilder();   // every answer and CLI output, searched at the end

        // The registry node takes both secrets as flags; the second node takes them from the environment. Both -debug.
        var etcd = FreePorts.Take(2);
        var registry = await mesh.StartNodeAsync(ct, psk: Psk, keyName: "registry", flags:
        [
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(mesh.Directory, "registry"),
            "-admin-token", Token, "-debug", "-idle-timeout", "10m", "-warm-pool-ttl", "0",
        ]);
        var ports = NodePorts.Allocate();
        await using var second = NodeProcess.Start(ports,
            NodeProcess.Flags(ports, Path.Combine(mesh.Directory, "second.key"), registry.Ports.Silo, psk: null, "-bootstrap", registry.Address, "-debug", "-no-allocator"),
            new Dictionary<string, string> { ["P2P_PSK"] = Psk, ["PHYSARUM_ADMIN_TOKEN"] = Token });
        await second.WaitReadyAsync(ct);
        await Eventually.HoldsAsync(async () => (await mesh.Http.GetStringAsync(new Uri(registry.Ports.AdminUri, "api/nodes"), ct)).Contains(second.PeerId, StringComparison.Ordinal), ct, "the second node is in the mesh");

        // The CLI, with --psk and with P2P_PSK: register, list, get.
        var add = await CliProcess.RunAsync(
            ["--bootstrap", registry.Address, "--psk", Psk, "service", "add", "--dir", DockerEngine.HelloWorldDirectory,
             Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), $"physarum-test/helloworld:{Service}", Service], ct);
        Assert.True(add.ExitCode == 0, add.ToString());
        var viaEnvironment = new Dictionary<string, string> { ["P2P_PSK"] = Psk };
        var list = await CliProcess.RunAsync(["--bootstrap", second.Address, "service", "list"], ct, viaEnvironment);
        Assert.True(list.ExitCode == 0 && list.Output.Contains(Service, StringComparison.Ordinal), list.ToString());
        var get = await CliProcess.RunAsync(["--bootstrap", second.Address, "--psk", Psk, "service", "get", Service], ct);
        Assert.True(get.ExitCode == 0, get.ToString());
        seen.AppendLine(add.ToString()).AppendLine(list.ToString()).AppendLine(get.ToString());

        // A request through the second node's gateway: a cold start on the registry node, a tunnel between the two.
        using var coldStart = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
        var hello = await coldStart.GetStringAsync(new Uri(second.Ports.ProxyUri, $"{Service}/"), ct);
        Assert.Contains("Hello, world", hello, StringComparison.Ordinal);

        // The contract: the node's own containers do get P2P_PSK (docker inspect shows it; README says so).
        var container = (await docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"physarum.service={Service}"] = true, [$"physarum.node={registry.PeerId}"] = true } },
        }, ct)).Single();
        var inspected = await docker.Client.Containers.InspectContainerAsync(container.ID, ct);
        Assert.Contains($"P2P_PSK={Psk}", inspected.Config.Env);

        // Every read of the admin API, the dashboard page, the Orleans Dashboard and /metrics, on both nodes.
        foreach (var node in new[] { registry, second })
        {
            foreach (var route in new[] { "api/nodes", "api/services", "api/instances", "api/rtt", "api/events", "api/events?after=0&max=5", "api/nope", "", "orleans/", "orleans/ClusterStats", "orleans/version" })
            {
                await SendAsync(mesh.Http, HttpMethod.Get, new Uri(node.Ports.AdminUri, route), null, seen, ct);
            }

            seen.AppendLine(await mesh.Http.GetStringAsync(node.MetricsUri, ct));
        }

        // Actions: no token and a wrong one are 401s with a body saying why; the right one (flag or env) works.
        string? instance = null;
        await Eventually.HoldsAsync(async () =>
        {
            using var instances = JsonDocument.Parse(await mesh.Http.GetStringAsync(new Uri(registry.Ports.AdminUri, "api/instances"), ct));
            instance = instances.RootElement.GetProperty("instances").EnumerateArray()
                .Where(i => i.GetProperty("service").GetString() == Service).Select(i => i.GetProperty("instanceId").GetString()).FirstOrDefault();
            return instance is { Length: > 0 };
        }, ct, "the instance is listed (nodes publish theirs every 3 s)");
        var cull = new Uri(registry.Ports.AdminUri, $"api/instances/cull?id={Uri.EscapeDataString(instance!)}");
        foreach (var (scheme, value, because) in new[]
        {
            ((string?)null, (string?)null, "Authorization: Bearer"),
            ("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Token)), "Authorization: Bearer"),
            ("Bearer", Token[..^1], "wrong"),
            ("Bearer", Token + "x", "wrong"),
        })
        {
            var header = scheme is null ? null : new AuthenticationHeaderValue(scheme, value);
            var (status, body) = await SendAsync(mesh.Http, HttpMethod.Post, cull, header, seen, ct);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{scheme} {value}: {status} {body}");
            Assert.Contains(because, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var bearer = new AuthenticationHeaderValue("Bearer", Token);
        var culled = await SendAsync(mesh.Http, HttpMethod.Post, cull, bearer, seen, ct);
        Assert.True(culled.Status == HttpStatusCode.OK, culled.Body);
        var deleted = await SendAsync(mesh.Http, HttpMethod.Delete, new Uri(registry.Ports.AdminUri, $"api/services/{Service}"), bearer, seen, ct);
        Assert.True(deleted.Status == HttpStatusCode.OK, deleted.Body);
        var viaEnvToken = await SendAsync(mesh.Http, HttpMethod.Delete, new Uri(second.Ports.AdminUri, $"api/services/{Service}"), bearer, seen, ct);
        Assert.True(viaEnvToken.Status == HttpStatusCode.NotFound, viaEnvToken.Body); // past the token check: the service is gone
        var wrongOnSecond = await SendAsync(mesh.Http, HttpMethod.Delete, new Uri(second.Ports.AdminUri, $"api/services/{Service}"), new AuthenticationHeaderValue("Bearer", "nope"), seen, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongOnSecond.Status);

        // Stopped, so the logs are complete (shutdown included).
        Assert.Equal(0, await second.StopAsync(ct));
        Assert.Equal(0, await registry.StopAsync(ct));
        var lines = registry.Lines.Concat(second.Lines).ToList();
        Assert.Contains(lines, l => l.Contains("dbug:", StringComparison.Ordinal)); // -debug was on: the verbose logs were searched too

        Assert.Contains(second.PeerId, seen.ToString(), StringComparison.Ordinal); // the answers searched below are real ones

        foreach (var secret in Secrets())
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, seen.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>The passphrase, the network key derived from it (SHA3-256) in hex and base64, and the admin token.</summary>
    private static IEnumerable<string> Secrets()
    {
        var key = SHA3_256.HashData(Encoding.UTF8.GetBytes(Psk));
        return [Psk, Convert.ToHexStringLower(key), Convert.ToHexString(key), Convert.ToBase64String(key), Token];
    }

    /// <summary>One request; the answer's status and body, with the body and headers added to <paramref name="seen"/>.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(
        HttpClient http, HttpMethod method, Uri uri, AuthenticationHeaderValue? authorization, StringBuilder seen, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        seen.Append(response.Headers).Append(response.Content.Headers).AppendLine(body);   // a secret must not hide in a header either
        return (response.StatusCode, body);
    }
}
