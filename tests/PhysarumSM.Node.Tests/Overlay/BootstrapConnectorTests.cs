using PhysarumSM.TestKit;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Node.Overlay;
using PhysarumSM.Node.Tests.Support;

namespace PhysarumSM.Node.Tests.Overlay;

public sealed class BootstrapConnectorTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_node_with_one_bootstrap_connects_to_it()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var bootstrap = await LoopbackHosts.StartAsync();
        await using var node = await LoopbackHosts.StartAsync();
        await using var connector = Connector(node, Fast(bootstrap.DialAddress()));

        await connector.StartAsync(cts.Token);

        Assert.False(connector.IsBootstrap);
        Assert.NotNull(node.GetConnection(bootstrap.PeerId));
        await connector.StopAsync(cts.Token);
        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task A_node_without_bootstraps_is_a_bootstrap_and_starts_no_task()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var node = await LoopbackHosts.StartAsync();
        await using var connector = Connector(node, new BootstrapOptions());

        await connector.StartAsync(cts.Token);

        Assert.True(connector.IsBootstrap);
        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task A_node_listed_among_its_own_bootstraps_starts_even_if_the_others_are_down()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var node = await LoopbackHosts.StartAsync();
        var other = IdentityKey.Generate().PeerId;
        var options = Fast(node.DialAddress(), LoopbackHosts.ClosedAddress().WithPeerId(other));
        await using var connector = Connector(node, options);

        await connector.StartAsync(cts.Token);

        Assert.True(connector.IsBootstrap);
        Assert.Equal([other], connector.BootstrapPeers);
        await connector.StopAsync(cts.Token);
        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task Startup_fails_listing_every_unreachable_bootstrap_and_why()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var node = await LoopbackHosts.StartAsync();
        await using var impostor = await LoopbackHosts.StartAsync();
        var closed = LoopbackHosts.ClosedAddress().WithPeerId(IdentityKey.Generate().PeerId);
        var wrongPeer = impostor.ListenAddresses[0].WithPeerId(IdentityKey.Generate().PeerId);
        var logger = new RecordingLogger<BootstrapConnector>();
        await using var connector = new BootstrapConnector(node, Fast(closed, wrongPeer), logger);

        var error = await Assert.ThrowsAsync<BootstrapException>(() => connector.StartAsync(cts.Token));

        Assert.Equal(2, error.Failures.Count);
        Assert.All(error.Failures, f => Assert.Equal(5, f.Attempts));
        Assert.Equal(closed.PeerId, error.Failures[0].Peer);
        Assert.Equal(wrongPeer.PeerId, error.Failures[1].Peer);
        Assert.Contains(closed.ToString(), error.Message);
        Assert.Contains(wrongPeer.ToString(), error.Message);
        Assert.Contains("refused", error.Failures[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.IsAssignableFrom<PhysarumSM.Libp2p.HandshakeException>(error.Failures[1].Error);
        Assert.Equal(8, logger.WithEvent(3003).Count); // 4 retries logged per bootstrap, none after the last attempt
        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task Startup_returns_once_one_bootstrap_connects_and_keeps_dialling_the_others()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var reachable = await LoopbackHosts.StartAsync();
        await using var node = await LoopbackHosts.StartAsync();
        var late = IdentityKey.Generate();
        var latePort = LoopbackHosts.ClosedAddress().Components[1].Port;
        var options = Fast(
            new PhysarumSM.Libp2p.Multiformats.Multiaddr[] { Multiaddr($"/ip4/127.0.0.1/tcp/{latePort}", late), reachable.DialAddress() });
        await using var connector = Connector(node, options);

        await connector.StartAsync(cts.Token);
        Assert.NotNull(node.GetConnection(reachable.PeerId));

        // The other bootstrap comes up later and is picked up by the background redial.
        await using var lateHost = await LoopbackHosts.StartAsync(late, latePort);
        await Eventually.HoldsAsync(() => node.GetConnection(late.PeerId) is not null, cts.Token);
    }

    [Fact]
    public async Task A_lost_bootstrap_is_redialled_when_it_comes_back_on_the_same_port()
    {
        using var cts = new CancellationTokenSource(Guard);
        using var key = IdentityKey.Generate();
        var bootstrap = await LoopbackHosts.StartAsync(key);
        var port = bootstrap.Port();
        await using var node = await LoopbackHosts.StartAsync();
        var logger = new RecordingLogger<BootstrapConnector>();
        await using var connector = new BootstrapConnector(node, Fast(bootstrap.DialAddress()), logger);
        await connector.StartAsync(cts.Token);
        Assert.NotNull(node.GetConnection(key.PeerId));

        await bootstrap.DisposeAsync();
        await Eventually.HoldsAsync(() => node.GetConnection(key.PeerId) is null, cts.Token);
        await Eventually.HoldsAsync(() => logger.WithEvent(3006).Count >= 2, cts.Token); // redials fail while it is down

        await using var back = await LoopbackHosts.StartAsync(key, port);
        await Eventually.HoldsAsync(() => node.GetConnection(key.PeerId) is not null, cts.Token);
        await Eventually.HoldsAsync(() => logger.WithEvent(3007).Count == 1, cts.Token);

        // Backoff restarts after success: a second loss is redialled from the initial delay again.
        var failuresBefore = logger.WithEvent(3006).Count;
        await node.DisconnectAsync(key.PeerId, cts.Token);
        await Eventually.HoldsAsync(() => logger.WithEvent(3007).Count == 2, cts.Token);
        Assert.NotNull(node.GetConnection(key.PeerId));
        Assert.Equal(failuresBefore, logger.WithEvent(3006).Count);
    }

    [Fact]
    public async Task Redial_backoff_doubles_up_to_the_cap()
    {
        using var cts = new CancellationTokenSource(Guard);
        using var key = IdentityKey.Generate();
        var bootstrap = await LoopbackHosts.StartAsync(key);
        await using var node = await LoopbackHosts.StartAsync();
        var logger = new RecordingLogger<BootstrapConnector>();
        var options = Fast(bootstrap.DialAddress());
        options.RedialInitialDelay = TimeSpan.FromMilliseconds(5);
        options.RedialMaxDelay = TimeSpan.FromMilliseconds(40);
        await using var connector = new BootstrapConnector(node, options, logger);
        await connector.StartAsync(cts.Token);

        await bootstrap.DisposeAsync();
        await Eventually.HoldsAsync(() => logger.WithEvent(3006).Count >= 6, cts.Token);

        var delays = logger.WithEvent(3006).Take(6).Select(e => (TimeSpan)e.State["Delay"]!).ToArray();
        Assert.Equal(new[] { 10, 20, 40, 40, 40, 40 }, delays.Select(d => (int)d.TotalMilliseconds));
    }

    [Fact]
    public async Task Stop_ends_every_task_even_while_waiting_for_a_long_redial()
    {
        using var cts = new CancellationTokenSource(Guard);
        var bootstrap = await LoopbackHosts.StartAsync();
        await using var node = await LoopbackHosts.StartAsync();
        var options = Fast(bootstrap.DialAddress());
        options.RedialInitialDelay = TimeSpan.FromHours(1);
        options.RedialMaxDelay = TimeSpan.FromHours(2);
        var logger = new RecordingLogger<BootstrapConnector>();
        var connector = new BootstrapConnector(node, options, logger);
        await connector.StartAsync(cts.Token);
        await bootstrap.DisposeAsync();
        await Eventually.HoldsAsync(() => logger.WithEvent(3005).Count == 1, cts.Token);
        Assert.Equal(1, connector.RunningTasks);

        await connector.DisposeAsync().AsTask().WaitAsync(cts.Token);

        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task Cancelling_startup_throws_and_leaves_no_task()
    {
        using var cts = new CancellationTokenSource(Guard);
        await using var node = await LoopbackHosts.StartAsync();
        var options = Fast(LoopbackHosts.ClosedAddress().WithPeerId(IdentityKey.Generate().PeerId));
        options.StartupRetryDelay = TimeSpan.FromHours(1);
        await using var connector = Connector(node, options);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        startup.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connector.StartAsync(startup.Token));

        Assert.Equal(0, connector.RunningTasks);
    }

    [Fact]
    public async Task A_bootstrap_without_a_peer_id_is_rejected()
    {
        var options = new BootstrapOptions { Bootstraps = [LoopbackHosts.ClosedAddress()] };
        await using var host = await LoopbackHosts.StartAsync();
        var error = Assert.Throws<ArgumentException>(() => Connector(host, options));
        Assert.Contains("/p2p/", error.Message);
    }

    private static BootstrapConnector Connector(Libp2pHost host, BootstrapOptions options) =>
        new(host, options, new RecordingLogger<BootstrapConnector>());

    private static BootstrapOptions Fast(params PhysarumSM.Libp2p.Multiformats.Multiaddr[] bootstraps) => new()
    {
        Bootstraps = [.. bootstraps],
        StartupRetryDelay = TimeSpan.FromMilliseconds(5),
        RedialInitialDelay = TimeSpan.FromMilliseconds(20),
        RedialMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private static PhysarumSM.Libp2p.Multiformats.Multiaddr Multiaddr(string text, IdentityKey key) =>
        PhysarumSM.Libp2p.Multiformats.Multiaddr.Parse(text).WithPeerId(key.PeerId);
}
