using PhysarumSM.Contracts.Registry;
using PhysarumSM.TestKit;

namespace PhysarumSM.Registry.Tests;

/// <summary>The registry grains when etcd is down, missing, or shared by two clusters; each test has its own etcd.</summary>
public sealed class RegistryAvailabilityTests
{
    [Fact]
    public async Task Etcd_down_is_a_clear_registry_unavailable_error_and_nothing_is_written()
    {
        using var guard = Guard.Start();
        await using var etcd = await EtcdServer.StartAsync(guard.Token);
        var prefix = EtcdFixture.UniquePrefix();
        await using var cluster = await RegistryCluster.StartAsync(etcd.ClientUrl, prefix, silos: 1, timeout: TimeSpan.FromSeconds(2));
        var known = RegistryCluster.NewName();
        await cluster.Client.GetServiceGrain(known).Register(RegistryCluster.Service(known));
        await etcd.StopAsync();

        var fresh = RegistryCluster.NewName();
        var onActivation = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => cluster.Client.GetServiceGrain(fresh).Register(RegistryCluster.Service(fresh)));
        var onWrite = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => cluster.Client.GetServiceGrain(known).Register(RegistryCluster.Service(known, counter: 1)));
        var onList = await Assert.ThrowsAsync<RegistryUnavailableException>(() => cluster.Client.GetServiceCatalog().List());

        foreach (var error in new[] { onActivation, onWrite, onList })
        {
            Assert.StartsWith("registry unavailable: etcd at " + etcd.ClientUrl, error.Message);
        }

        await etcd.RestartAsync(cancellationToken: guard.Token);
        var listed = await Reconnect.AfterRestartAsync(() => cluster.Client.GetServiceCatalog().List(), guard.Token);
        Assert.Equal(known, Assert.Single(listed).Info.Name);
        Assert.True(listed[0].Info.MemoryReq is 0 or 1, "a timed-out write may land or not, never half");
        Assert.Null(await Reconnect.AfterRestartAsync(() => cluster.Client.GetServiceGrain(fresh).Get(), guard.Token));
    }

    [Fact]
    public async Task A_cluster_without_a_registry_says_how_to_configure_one()
    {
        await using var cluster = await RegistryCluster.StartAsync(endpoint: null, keyPrefix: "", silos: 1);

        var register = await Assert.ThrowsAsync<RegistryUnavailableException>(
            () => cluster.Client.GetServiceGrain("web").Register(RegistryCluster.Service("web")));
        var list = await Assert.ThrowsAsync<RegistryUnavailableException>(() => cluster.Client.GetServiceCatalog().List());

        Assert.Equal("no registry configured on this cluster: start a node with -new-etcd-cluster or -etcd-endpoints", register.Message);
        Assert.Equal(register.Message, list.Message);
    }

    [Fact]
    public async Task Two_clusters_sharing_etcd_never_lose_each_others_writes()
    {
        using var guard = Guard.Start();
        await using var etcd = await EtcdServer.StartAsync(guard.Token);
        var prefix = EtcdFixture.UniquePrefix();
        await using var one = await RegistryCluster.StartAsync(etcd.ClientUrl, prefix);
        await using var two = await RegistryCluster.StartAsync(etcd.ClientUrl, prefix);
        var name = RegistryCluster.NewName();
        await one.Client.GetServiceGrain(name).Register(RegistryCluster.Service(name));

        // Each cluster has its own activation of the service: only etcd's compare-and-set stands between them.
        var conflicts = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(_ => Task.Run(() => RegistryGrainTests.IncrementAsync(one.Client, name, 10)))
                .Concat(Enumerable.Range(0, 4).Select(_ => Task.Run(() => RegistryGrainTests.IncrementAsync(two.Client, name, 10)))));
        Assert.Equal(80, Assert.Single(await two.Client.GetServiceCatalog().List()).Info.MemoryReq);

        var unconditional = await Task.WhenAll(
            Task.Run(() => one.Client.GetServiceGrain(name).Register(RegistryCluster.Service(name, counter: 1000))),
            Task.Run(() => two.Client.GetServiceGrain(name).Register(RegistryCluster.Service(name, counter: 2000))));

        Assert.True(conflicts.Sum() > 0, "the clusters raced, so some writers must have been told to retry");
        Assert.NotEqual(unconditional[0].Version, unconditional[1].Version);
        var winner = unconditional.MaxBy(r => r.Version)!;
        var listed = Assert.Single(await one.Client.GetServiceCatalog().List());
        Assert.Equal(winner.Info.MemoryReq, listed.Info.MemoryReq);
        Assert.Equal(winner.Version, listed.Version);
    }
}
