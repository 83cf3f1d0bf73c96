using System.Text;
using System.Text.Json;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Routing;
using PhysarumSM.Gateway.Tests.Support;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Tests.Resolve;

/// <summary><c>/physarum/resolve/1.0.0</c> between real hosts: routes, addresses, and each failure as its exception.</summary>
public sealed class ResolveProtocolTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("resolve-test-psk")]
    public async Task A_route_on_the_resolving_node_comes_back_with_its_listen_addresses(string? psk)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        PeerId? node = null;
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => Task.FromResult(ResolveAnswer.Found(new Route(service, $"{service}/{node}/1", node!.ToString(), 20, 80))),
            ct,
            psk);
        node = rig.Overlay.Node.PeerId;

        var resolved = await rig.ResolveAsync("hello-world-server", ct);

        Assert.Equal(new Route("hello-world-server", $"hello-world-server/{node}/1", node.ToString(), 20, 80), resolved.Route);
        Assert.Equal(rig.Overlay.Node.ListenAddresses, resolved.NodeAddresses);
        Assert.Equal([("hello-world-server", rig.Overlay.Proxy.PeerId)], rig.Calls);
    }

    [Fact]
    public async Task A_route_on_another_node_carries_that_nodes_addresses_into_the_proxys_peer_store()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        var other = IdentityKey.Generate().PeerId;
        Multiaddr[] addresses = [Multiaddr.Parse("/ip4/10.0.0.7/tcp/4001"), Multiaddr.Parse("/ip4/127.0.0.1/tcp/4999")];
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => Task.FromResult(ResolveAnswer.Found(new Route(service, $"{service}/{other}/3", other.ToString(), 0, 0), addresses)),
            ct);

        var resolved = await rig.ResolveAsync("svc", ct);

        Assert.Equal(other.ToString(), resolved.Route.NodeId);
        Assert.Equal(addresses, resolved.NodeAddresses);
        Assert.Equal(addresses.ToHashSet(), rig.Overlay.Proxy.PeerStore.GetAddresses(other).ToHashSet());
    }

    [Fact]
    public async Task Without_explicit_addresses_another_nodes_are_taken_from_the_resolving_nodes_peer_store()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        var other = IdentityKey.Generate().PeerId;
        var known = Multiaddr.Parse("/ip4/10.0.0.8/tcp/4001");
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => Task.FromResult(ResolveAnswer.Found(new Route(service, $"{service}/{other}/1", other.ToString(), 0, 0))),
            ct);
        rig.Overlay.Node.PeerStore.AddAddresses(other, [known]);

        var resolved = await rig.ResolveAsync("svc", ct);

        Assert.Equal([known], resolved.NodeAddresses);
    }

    [Fact]
    public async Task Not_found_answered_or_thrown_becomes_ServiceNotFoundException()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => service == "thrown"
                ? throw new ServiceNotFoundException(service)
                : Task.FromResult(ResolveAnswer.NotFound(service)),
            ct);

        foreach (var service in new[] { "answered", "thrown" })
        {
            var ex = await Assert.ThrowsAsync<ServiceNotFoundException>(() => rig.ResolveAsync(service, ct));
            Assert.Equal(service, ex.Service);
        }
    }

    [Fact]
    public async Task No_route_answered_or_thrown_becomes_NoRouteException_with_the_nodes_reason()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => service == "thrown"
                ? Task.FromException<ResolveAnswer>(new NoRouteException("every instance is above the hard requirement of 50 ms"))
                : Task.FromResult(ResolveAnswer.NoRoute("no node has room for 'answered'")),
            ct);

        var answered = await Assert.ThrowsAsync<NoRouteException>(() => rig.ResolveAsync("answered", ct));
        Assert.Equal("no node has room for 'answered'", answered.Message);
        var thrown = await Assert.ThrowsAsync<NoRouteException>(() => rig.ResolveAsync("thrown", ct));
        Assert.Equal("every instance is above the hard requirement of 50 ms", thrown.Message);
    }

    [Fact]
    public async Task A_failing_or_slow_resolution_is_unavailable_and_surfaces_as_NoRouteException()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await ResolveRig.StartAsync(
            async (service, _, token) =>
            {
                if (service == "broken")
                {
                    throw new InvalidOperationException("the silo is shutting down");
                }

                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                throw new System.Diagnostics.UnreachableException();
            },
            ct,
            resolveTimeout: TimeSpan.FromMilliseconds(200));

        var broken = await Assert.ThrowsAsync<NoRouteException>(() => rig.ResolveAsync("broken", ct));
        Assert.Contains("could not resolve 'broken'", broken.Message, StringComparison.Ordinal);
        Assert.Contains("the silo is shutting down", broken.Message, StringComparison.Ordinal);
        var slow = await Assert.ThrowsAsync<NoRouteException>(() => rig.ResolveAsync("slow", ct));
        Assert.Contains("took longer than", slow.Message, StringComparison.Ordinal);
        Assert.Single(rig.Log.WithEvent(8021));
    }

    [Fact]
    public void The_default_deadline_allows_a_cold_start()
    {
        var server = new ResolveServer((_, _, _) => Task.FromResult(ResolveAnswer.NoRoute("unused")), new LogCapture<ResolveServer>());

        Assert.True(server.ResolveTimeout >= TimeSpan.FromSeconds(35));
        Assert.True(ResolveClient.AnswerTimeout > server.ResolveTimeout);
    }

    [Fact]
    public async Task An_argument_error_of_the_resolution_is_invalid_and_an_ArgumentException_here()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => throw new ArgumentException($"'{service}' is not a valid service name"),
            ct);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.ResolveAsync("Bad Name", ct));
        Assert.Contains("'Bad Name' is not a valid service name", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedRequests() => new()
    {
        { Convert.ToHexString(Framed("not json")), "malformed resolve request" },
        { Convert.ToHexString(Framed("{}")), "malformed resolve request" },
        { Convert.ToHexString(Framed("{\"service\":\"\"}")), "names no service" },
        { Convert.ToHexString(Framed("{\"service\":[1]}")), "malformed resolve request" },
        { Convert.ToHexString(Framed("null")), "names no service" },
        { Convert.ToHexString([.. Varint.Encode(ResolveWire.MaxMessageBytes + 1), 0]), "exceeds the limit" },
        { Convert.ToHexString([.. Varint.Encode(50), 1, 2]), "stream ended inside" },
        { "", "bad length prefix" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task A_malformed_request_is_answered_invalid_and_the_node_keeps_resolving(string hex, string reason)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        await using var rig = await ResolveRig.StartAsync(
            (service, _, _) => Task.FromResult(ResolveAnswer.Found(new Route(service, $"{service}/n/1", IdentityKey.Generate().PeerId.ToString(), 0, 0), [])),
            ct);

        await using (var stream = await rig.Overlay.Proxy.NewStreamAsync(rig.Overlay.Node.PeerId, [ResolveWire.ProtocolId], ct))
        {
            await stream.Stream.WriteAsync(Convert.FromHexString(hex), ct);
            await stream.CloseWriteAsync(ct);
            var response = JsonSerializer.Deserialize<ResolveResponse>(
                await LengthPrefixedMessage.ReadAsync(stream.Stream, ResolveWire.MaxMessageBytes, ct), ResolveWire.Json);

            Assert.NotNull(response);
            Assert.False(response.Ok);
            Assert.Equal(ResolveCode.Invalid, response.Code);
            Assert.Contains(reason, response.Error, StringComparison.Ordinal);
        }

        Assert.Empty(rig.Calls);
        Assert.Equal("svc/n/1", (await rig.ResolveAsync("svc", ct)).Route.InstanceId);
    }

    private static byte[] Framed(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Varint.Encode((ulong)body.Length), .. body];
    }
}
