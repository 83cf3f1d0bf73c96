using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Grains.Registry;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Registry.Tests;

/// <summary>The registry grains on a two-silo cluster over the shared etcd.</summary>
[Collection(EtcdCollection.Name)]
public sealed class RegistryGrainTests(EtcdFixture etcd) : IAsyncLifetime
{
    private readonly string _prefix = EtcdFixture.UniquePrefix();
    private InProcessTestCluster _cluster = null!;

    private IClusterClient Client => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await RegistryCluster.StartAsync(etcd.Server.ClientUrl, _prefix);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Register_stores_the_service_in_etcd_under_services_and_returns_its_revision()
    {
        var name = RegistryCluster.NewName();

        var record = await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name));

        Assert.True(record.Version > 0);
        Assert.Equal(record.RegisteredAt, record.UpdatedAt);
        Assert.Equal(record, await Client.GetServiceGrain(name).Get());
        using var store = etcd.Store(etcd.Options(_prefix));
        var stored = await store.ReadAsync($"{_prefix}/services/{name}", CancellationToken.None);
        Assert.Equal(record.Version, stored?.Revision);
    }

    [Fact]
    public async Task Re_registering_moves_the_version_and_keeps_the_first_registration_time()
    {
        var name = RegistryCluster.NewName();
        var first = await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name));

        var second = await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name, counter: 1));

        Assert.True(second.Version > first.Version);
        Assert.Equal(first.RegisteredAt, second.RegisteredAt);
        Assert.Equal(1, (await Client.GetServiceGrain(name).Get())?.Info.MemoryReq);
    }

    [Fact]
    public async Task Expected_version_guards_the_write_and_a_mismatch_names_both_versions()
    {
        var name = RegistryCluster.NewName();
        var grain = Client.GetServiceGrain(name);
        var created = await grain.Register(RegistryCluster.Service(name), expectedVersion: 0);

        var exists = await Assert.ThrowsAsync<ServiceConflictException>(() => grain.Register(RegistryCluster.Service(name), expectedVersion: 0));
        var updated = await grain.Register(RegistryCluster.Service(name, counter: 1), expectedVersion: created.Version);
        var stale = await Assert.ThrowsAsync<ServiceConflictException>(() => grain.Register(RegistryCluster.Service(name, counter: 2), expectedVersion: created.Version));

        Assert.Contains("expected version 0", exists.Message);
        Assert.Contains($"stored version {created.Version}", exists.Message);
        Assert.Contains($"expected version {created.Version}", stale.Message);
        Assert.Contains($"stored version {updated.Version}", stale.Message);
        Assert.Equal(1, (await grain.Get())?.Info.MemoryReq);
    }

    [Fact]
    public async Task Invalid_services_are_refused_before_anything_is_written()
    {
        var name = RegistryCluster.NewName();
        var grain = Client.GetServiceGrain(name);

        await Assert.ThrowsAsync<ArgumentException>(() => grain.Register(RegistryCluster.Service(name) with { DockerHash = "" }));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.Register(RegistryCluster.Service(name) with { SoftRttMs = 500 }));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.Register(RegistryCluster.Service("other-name")));

        Assert.Null(await grain.Get());
    }

    [Fact]
    public async Task Delete_removes_the_key_and_a_second_delete_says_there_was_nothing()
    {
        var name = RegistryCluster.NewName();
        var grain = Client.GetServiceGrain(name);
        await grain.Register(RegistryCluster.Service(name));

        Assert.True(await grain.Delete());
        Assert.False(await grain.Delete());
        Assert.Null(await grain.Get());
        using var store = etcd.Store(etcd.Options(_prefix));
        Assert.Null(await store.ReadAsync($"{_prefix}/services/{name}", CancellationToken.None));
    }

    [Fact]
    public async Task The_catalog_lists_every_service_in_etcd_sorted_with_versions()
    {
        var names = new[] { "b-" + RegistryCluster.NewName(), "a-" + RegistryCluster.NewName(), "c-" + RegistryCluster.NewName() };
        var records = new Dictionary<string, ServiceRecord>();
        foreach (var name in names)
        {
            records[name] = await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name));
        }

        var listed = await Client.GetServiceCatalog().List();

        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(r => r.Info.Name));
        Assert.All(listed, r => Assert.Equal(records[r.Info.Name], r));
    }

    [Fact]
    public async Task The_catalog_reads_etcd_rather_than_grains()
    {
        // Written by another writer of the same etcd (another cluster, an operator): no grain of this cluster holds it.
        using var store = etcd.Store(etcd.Options(_prefix));
        var storage = new EtcdGrainStorage("other", store, NullLogger<EtcdGrainStorage>.Instance);
        var name = RegistryCluster.NewName();
        await storage.WriteStateAsync("service", GrainId.Create("services", name), new GrainState<ServiceState>
        {
            State = new ServiceState { Info = RegistryCluster.Service(name), RegisteredAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch },
        });

        var listed = await Client.GetServiceCatalog().List();

        Assert.Equal(name, Assert.Single(listed).Info.Name);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_loops_on_one_service_never_lose_an_increment()
    {
        var name = RegistryCluster.NewName();
        await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name));
        const int Writers = 8;
        const int IncrementsEach = 10;

        var conflicts = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(() => IncrementAsync(Client, name, IncrementsEach))));

        Assert.Equal(Writers * IncrementsEach, (await Client.GetServiceGrain(name).Get())?.Info.MemoryReq);
        Assert.True(conflicts.Sum() > 0, "the writers raced, so some must have been told to retry");
    }

    [Fact]
    public async Task Concurrent_unconditional_registers_all_land_in_order_with_distinct_versions()
    {
        var name = RegistryCluster.NewName();

        var records = await Task.WhenAll(Enumerable.Range(1, 40).Select(i =>
            Task.Run(() => Client.GetServiceGrain(name).Register(RegistryCluster.Service(name, counter: i)))));

        Assert.Equal(records.Length, records.Select(r => r.Version).Distinct().Count());
        var last = records.MaxBy(r => r.Version)!;
        Assert.Equal(last, await Client.GetServiceGrain(name).Get());
    }

    [Fact]
    public async Task Registered_services_survive_a_restart_of_the_whole_cluster()
    {
        var name = RegistryCluster.NewName();
        var record = await Client.GetServiceGrain(name).Register(RegistryCluster.Service(name, counter: 5));

        await _cluster.DisposeAsync();
        _cluster = await RegistryCluster.StartAsync(etcd.Server.ClientUrl, _prefix);

        Assert.Equal(record, await Client.GetServiceGrain(name).Get());
        Assert.Equal(record, Assert.Single(await Client.GetServiceCatalog().List()));
    }

    /// <summary>Adds one to the service's counter <paramref name="times"/> times with expected-version loops; returns the conflicts met.</summary>
    internal static async Task<int> IncrementAsync(IGrainFactory grains, string name, int times)
    {
        var conflicts = 0;
        for (var done = 0; done < times;)
        {
            var current = (await grains.GetServiceGrain(name).Get())!;
            try
            {
                await grains.GetServiceGrain(name).Register(current.Info with { MemoryReq = current.Info.MemoryReq + 1 }, current.Version);
                done++;
            }
            catch (ServiceConflictException)
            {
                conflicts++;
            }
        }

        return conflicts;
    }
}
