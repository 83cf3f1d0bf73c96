using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>
/// Real traffic through the gateway (issue 6): the Greeter calls hello-world-server from inside its container through
/// PROXY_IP:PROXY_PORT; 100 MiB responses stream through the local path and the tunnel with bounded node memory; a POST
/// body arrives intact; 100 concurrent clients for 20 s see no error.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class GatewayTrafficTests
{
    private const long HundredMiB = 100L * 1024 * 1024;

    // A node that buffered a 100 MiB body would grow by at least that much; pooled buffers and JIT stay far below.
    private const long MemoryBound = 48L * 1024 * 1024;

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(8));

    [Fact]
    public async Task The_greeter_reaches_hello_world_through_the_in_container_proxy_and_large_bodies_stream_with_bounded_memory()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await DockerEngine.PublishGreeterAsync(ct);
        // The entry node runs no instances: everything it serves crosses the tunnel to the worker.
        await using var mesh = await AllocatorMesh.StartAsync(ct, "-no-allocator");
        var entry = mesh.Registry;
        var worker = await mesh.Mesh.StartNodeAsync(ct, keyName: "worker");
        await mesh.AddHelloWorldAsync("hello-world-server", ct);
        await mesh.AddServiceAsync(DockerEngine.GreeterDirectory, "greeter", ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        // Service to service: greeter (on worker) -> worker's gateway at PROXY_IP:PROXY_PORT -> hello-world-server.
        Assert.Equal("Greeter got: Hello, world", (await http.GetStringAsync(new Uri(worker.Ports.ProxyUri, "greeter/"), ct)).Trim());
        Assert.Equal("Greeter got: Hello, world", (await http.GetStringAsync(new Uri(entry.Ports.ProxyUri, "greeter/greet"), ct)).Trim());
        Assert.Single(await mesh.ContainersAsync("physarum.service", "hello-world-server", ct));

        // 100 MiB down, on the local path (worker) and through the tunnel (entry), memory sampled while it flows.
        foreach (var node in new[] { worker, entry })
        {
            var (length, hash, growth) = await DownloadAsync(http, node, new Uri(node.Ports.ProxyUri, $"greeter/bytes/{HundredMiB}"), ct);
            Assert.Equal(HundredMiB, length);
            Assert.Equal(PatternHash(HundredMiB), hash);
            Assert.True(growth < MemoryBound, $"node memory grew by {growth / (1024 * 1024)} MiB while streaming 100 MiB (bound {MemoryBound / (1024 * 1024)} MiB)");
        }

        // A 16 MiB POST body arrives intact (echoed back), chunked, through the tunnel.
        var body = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        using var content = new StreamContent(new MemoryStream(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(entry.Ports.ProxyUri, "greeter/echo")) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var echoed = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, echoed.StatusCode);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await echoed.Content.ReadAsByteArrayAsync(ct)));
    }

    [Fact]
    public async Task A_hundred_concurrent_clients_for_twenty_seconds_see_no_error()
    {
        using var guard = Guard();
        var ct = guard.Token;
        await using var mesh = await AllocatorMesh.StartAsync(ct);
        await mesh.AddHelloWorldAsync("load-hello", ct);
        var url = new Uri(mesh.Registry.Ports.ProxyUri, "load-hello/");
        Assert.Equal("Hello, world", (await mesh.Mesh.Http.GetStringAsync(url, ct)).Trim());   // warm, so the run measures the data path

        var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t", "2", "-c", "100", "-d", "20s", "--timeout", "10s", url.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await wrk.StandardOutput.ReadToEndAsync(ct) + await wrk.StandardError.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        Assert.True(wrk.ExitCode == 0, output);
        Assert.Matches(@"\d+ requests in", output);
        Assert.DoesNotContain("Non-2xx", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Socket errors", output, StringComparison.Ordinal);
        Assert.Single(await mesh.ContainersAsync("physarum.service", "load-hello", ct));
    }

    private static async Task<(long Length, byte[] Hash, long Growth)> DownloadAsync(HttpClient http, NodeProcess node, Uri url, CancellationToken ct)
    {
        var before = node.ResidentBytes();
        var peak = before;
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
            if (length % (4 * 1024 * 1024) < read)
            {
                peak = Math.Max(peak, node.ResidentBytes());
            }
        }

        return (length, sha.GetHashAndReset(), Math.Max(peak, node.ResidentBytes()) - before);
    }

    // The Greeter's /bytes pattern: byte i = i % 251.
    private static byte[] PatternHash(long length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[251 * 256];
        for (var i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i % 251);
        }

        for (long done = 0; done < length; done += block.Length)
        {
            sha.AppendData(block, 0, (int)Math.Min(block.Length, length - done));
        }

        return sha.GetHashAndReset();
    }
}
