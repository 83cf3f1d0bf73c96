using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.Gateway.Tunnel;

namespace PhysarumSM.Gateway.Tests.Tunnel;

/// <summary>HTTP/1.1 end to end through a tunnel: SocketsHttpHandler on the proxy, Kestrel behind the node.</summary>
public sealed class TunnelHttpTests
{
    private const string Instance = "hello/node/1";

    [Theory]
    [InlineData(null)]
    [InlineData("tunnel-http-psk")]
    public async Task Requests_and_responses_cross_the_tunnel_on_one_kept_alive_connection(string? psk)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = guard.Token;
        await using var rig = await TunnelRig.StartAsync(ct, psk);
        await using var kestrel = await StartKestrelAsync(ct);
        rig.Instances.Add(Instance, kestrel.Port);

        var connects = 0;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                Interlocked.Increment(ref connects);
                return await TunnelClient.OpenAsync(rig.Overlay.Proxy, rig.Overlay.Node.PeerId, Instance, token);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://hello-world-server/") };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("Hello, world", await client.GetStringAsync("hello", ct));
        }

        var body = TunnelRig.Payload(7, 1024 * 1024);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var echoed = await client.PostAsync("echo", content, ct);
        Assert.Equal(HttpStatusCode.OK, echoed.StatusCode);
        Assert.Equal(body, await echoed.Content.ReadAsByteArrayAsync(ct));
        Assert.Equal(1, Volatile.Read(ref connects));

        // The server closing after its response ends the tunnel cleanly; the next request opens a new one.
        using var closing = new HttpRequestMessage(HttpMethod.Get, "hello");
        closing.Headers.ConnectionClose = true;
        using var last = await client.SendAsync(closing, ct);
        Assert.Equal("Hello, world", await last.Content.ReadAsStringAsync(ct));
        Assert.Equal("Hello, world", await client.GetStringAsync("hello", ct));
        Assert.Equal(2, Volatile.Read(ref connects));
        Assert.True(rig.Instances.Activity(Instance) >= 2);
    }

    private static async Task<KestrelInstance> StartKestrelAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/hello", () => "Hello, world");
        app.MapPost("/echo", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelInstance(app, new IPEndPoint(IPAddress.Loopback, new Uri(address).Port));
    }

    private sealed record KestrelInstance(WebApplication App, IPEndPoint Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
