using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Tests.Forwarding;

/// <summary>
/// HTTP semantics end to end through the gateway to real upstream servers: path rewrite, headers, status codes, chunked
/// streaming, request bodies, websockets, the one retry on another instance, and the gateway's own refusals.
/// </summary>
public sealed class GatewayForwarderTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Path_query_headers_and_status_codes_pass_and_the_service_segment_is_removed()
    {
        await using var rig = await ForwarderRig.StartAsync((service, _) => ForwarderRig.RouteOf("svc/self/0", service));
        await using var upstream = await rig.AddInstanceAsync("svc/self/0", app =>
        {
            app.MapGet("/{**rest}", (HttpContext c) => Results.Text(
                $"{c.Request.Path.Value}{c.Request.QueryString}|{c.Request.Headers["X-Test"]}|{c.Request.Headers.Host}"));
            app.MapGet("/teapot", () => Results.StatusCode(418));
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(rig.Uri, "svc/a/b%20c?x=1&y=2"));
        request.Headers.Add("X-Test", "kept");
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/a/b c?x=1&y=2|kept|{rig.Uri.Authority}", await response.Content.ReadAsStringAsync());

        Assert.Equal("/|", (await Http.GetStringAsync(new Uri(rig.Uri, "svc")))[..2]);
        using var teapot = await Http.GetAsync(new Uri(rig.Uri, "svc/teapot"));
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal(3, rig.Instances.Activity("svc/self/0"));   // each request counted for idle culling
    }

    [Fact]
    public async Task A_chunked_response_streams_chunk_by_chunk_and_a_chunked_request_body_arrives_intact()
    {
        var release = new SemaphoreSlim(0);
        await using var rig = await ForwarderRig.StartAsync((service, _) => ForwarderRig.RouteOf("svc/self/0", service));
        await using var upstream = await rig.AddInstanceAsync("svc/self/0", app =>
        {
            app.MapGet("/chunks", async (HttpContext c) =>
            {
                for (var i = 0; i < 3; i++)
                {
                    await c.Response.WriteAsync($"chunk{i};");
                    await c.Response.Body.FlushAsync();
                    await release.WaitAsync(c.RequestAborted);   // the next chunk only after the client saw this one
                }
            });
            app.MapPost("/digest", async (HttpContext c) =>
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[64 * 1024];
                long length = 0;
                int read;
                while ((read = await c.Request.Body.ReadAsync(buffer)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    length += read;
                }

                return Results.Text($"{Convert.ToHexString(sha.GetHashAndReset())} {length}");
            });
        });

        using var response = await Http.GetAsync(new Uri(rig.Uri, "svc/chunks"), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var seen = new StringBuilder();
        var buffer = new byte[64];
        for (var i = 0; i < 3; i++)
        {
            while (!seen.ToString().Contains($"chunk{i};", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            release.Release();
        }

        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal("chunk0;chunk1;chunk2;", seen.ToString());

        var body = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        using var content = new StreamContent(new MemoryStream(body));
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(rig.Uri, "svc/digest")) { Content = content };
        post.Headers.TransferEncodingChunked = true;
        using var digest = await Http.SendAsync(post);
        Assert.Equal($"{Convert.ToHexString(SHA256.HashData(body))} {body.Length}", await digest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_websocket_passes_through_both_ways()
    {
        await using var rig = await ForwarderRig.StartAsync((service, _) => ForwarderRig.RouteOf("svc/self/0", service));
        await using var upstream = await rig.AddInstanceAsync("svc/self/0", app => app.Map("/ws", async (HttpContext c) =>
        {
            using var socket = await c.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, c.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", c.RequestAborted);
                    return;
                }

                var reply = Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(buffer, 0, received.Count));
                await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, c.RequestAborted);
            }
        }));

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{rig.Uri.Authority}/svc/ws"), CancellationToken.None);
        var answer = new byte[1024];
        foreach (var text in new[] { "one", "two" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            var received = await client.ReceiveAsync(answer, CancellationToken.None);
            Assert.Equal("echo:" + text, Encoding.UTF8.GetString(answer, 0, received.Count));
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    [Fact]
    public async Task A_get_to_a_dead_instance_is_retried_once_on_another_and_a_post_is_not()
    {
        // The first resolve names an instance nobody listens on; the retry's resolve names a live one.
        await using var rig = await ForwarderRig.StartAsync((service, call) => ForwarderRig.RouteOf(call == 1 ? "svc/self/0" : "svc/self/1", service));
        var dead = RefusingEndPoint();
        rig.Instances.Add("svc/self/0", dead);
        await using var live = await rig.AddInstanceAsync("svc/self/1", app =>
        {
            app.MapGet("/", () => "live");
            app.MapPost("/", () => "live");
        });

        Assert.Equal("live", await Http.GetStringAsync(new Uri(rig.Uri, "svc/")));

        // Now the live one is cached; point a POST at a dead instance of another service: no retry, a 502 that says why.
        await using var rig2 = await ForwarderRig.StartAsync((service, _) => ForwarderRig.RouteOf("other/self/0", service));
        rig2.Instances.Add("other/self/0", dead);
        using var post = await Http.PostAsync(new Uri(rig2.Uri, "other/"), new StringContent("x"));
        Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
        Assert.Contains("instance other/self/0", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_of_the_mesh_become_404_503_and_504_with_a_reason()
    {
        await using var rig = await ForwarderRig.StartAsync((service, _) => service switch
        {
            "never" => ForwarderRig.RouteOf("never/self/0", service),
            "ghost" => throw new ServiceNotFoundException(service),
            "far" => throw new NoRouteException("service 'far': no instance or allocator node is within the hard RTT requirement of 5 ms"),
            _ => throw new InvalidOperationException("not scripted"),
        }, coldStartTimeout: TimeSpan.FromMilliseconds(300));

        using var ghost = await Http.GetAsync(new Uri(rig.Uri, "ghost/x"));
        Assert.Equal(HttpStatusCode.NotFound, ghost.StatusCode);
        Assert.Contains("'ghost' is not registered", await ghost.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var far = await Http.GetAsync(new Uri(rig.Uri, "far/"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, far.StatusCode);
        Assert.Contains("hard RTT requirement of 5 ms", await far.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var root = await Http.GetAsync(rig.Uri);
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
        Assert.Contains("/{service}/{path}", await root.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cold_start_slower_than_the_timeout_is_a_504_naming_the_flag()
    {
        var never = new TaskCompletionSource<Route>();
        await using var rig = await ForwarderRig.StartLaterAsync((_, _) => never.Task, coldStartTimeout: TimeSpan.FromMilliseconds(200));
        using var slow = await Http.GetAsync(new Uri(rig.Uri, "slow/"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        Assert.Contains("-cold-start-timeout", await slow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        never.SetCanceled();
    }

    // A loopback port that was free a moment ago: connecting to it is refused.
    private static IPEndPoint RefusingEndPoint()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }
}
