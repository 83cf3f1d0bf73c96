using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Registry.Tests;

[Collection(EtcdCollection.Name)]
public sealed class EtcdGrainStorageTests : IDisposable
{
    private readonly EtcdFixture _etcd;
    private readonly EtcdStorageOptions _options;
    private readonly EtcdStateStore _store;

    public EtcdGrainStorageTests(EtcdFixture etcd)
    {
        _etcd = etcd;
        _options = etcd.Options();
        _store = etcd.Store(_options);
    }

    public void Dispose() => _store.Dispose();

    private EtcdGrainStorage Storage(EtcdStateStore? store = null) => new("test", store ?? _store, NullLogger<EtcdGrainStorage>.Instance);

    private static GrainId Id(string key = "hello-world-server") => GrainId.Create("services", key);

    [Fact]
    public async Task Missing_state_reads_as_a_new_empty_state_without_etag()
    {
        var state = new GrainState<TestState> { State = null!, ETag = "stale", RecordExists = true };

        await Storage().ReadStateAsync("service", Id(), state);

        Assert.NotNull(state.State);
        Assert.Equal(0, state.State!.Count);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Written_state_reads_back_with_the_mod_revision_as_etag()
    {
        var written = new GrainState<TestState> { State = new TestState { Count = 3, Note = "three" } };
        await Storage().WriteStateAsync("service", Id(), written);

        var read = new GrainState<TestState>();
        await Storage().ReadStateAsync("service", Id(), read);

        Assert.True(read.RecordExists);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal("three", read.State!.Note);
        Assert.Equal(written.ETag, read.ETag);
        var stored = await _store.ReadAsync(_store.KeyOf("services", "hello-world-server"), CancellationToken.None);
        Assert.Equal(long.Parse(read.ETag!, System.Globalization.CultureInfo.InvariantCulture), stored!.Value.Revision);
    }

    [Fact]
    public async Task State_is_readable_json_at_prefix_grain_type_and_key()
    {
        var options = _etcd.Options("/physarum-" + Guid.NewGuid().ToString("N")[..8]);
        using var store = _etcd.Store(options);
        await Storage(store).WriteStateAsync("service", Id("web"), new GrainState<TestState> { State = new TestState { Count = 1 } });

        var stored = await store.ReadAsync($"{options.KeyPrefix}/services/web", CancellationToken.None);

        Assert.NotNull(stored);
        using var json = JsonDocument.Parse(stored.Value.Value.Memory);
        Assert.Equal(1, json.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Every_write_moves_the_etag_forward()
    {
        var state = new GrainState<TestState> { State = new TestState { Count = 1 } };
        await Storage().WriteStateAsync("service", Id(), state);
        var first = long.Parse(state.ETag!, System.Globalization.CultureInfo.InvariantCulture);

        state.State!.Count = 2;
        await Storage().WriteStateAsync("service", Id(), state);

        Assert.True(long.Parse(state.ETag!, System.Globalization.CultureInfo.InvariantCulture) > first);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var otherStore = _etcd.Store(_etcd.Options(_options.KeyPrefix));   // a second client on the same keys
        var one = Storage();
        var two = Storage(otherStore);
        var seenByOne = new GrainState<TestState> { State = new TestState { Count = 1 } };
        await one.WriteStateAsync("service", Id(), seenByOne);
        var seenByTwo = new GrainState<TestState>();
        await two.ReadStateAsync("service", Id(), seenByTwo);

        seenByTwo.State!.Count = 20;
        await two.WriteStateAsync("service", Id(), seenByTwo);
        seenByOne.State!.Count = 10;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => one.WriteStateAsync("service", Id(), seenByOne));

        Assert.Equal(seenByTwo.ETag, conflict.StoredEtag);
        Assert.NotEqual(seenByTwo.ETag, seenByOne.ETag);
        var now = new GrainState<TestState>();
        await one.ReadStateAsync("service", Id(), now);
        Assert.Equal(20, now.State!.Count);
        Assert.Equal(seenByTwo.ETag, now.ETag);
    }

    [Fact]
    public async Task Creating_a_state_that_someone_else_created_meanwhile_is_refused()
    {
        var first = new GrainState<TestState> { State = new TestState { Count = 1 } };
        var second = new GrainState<TestState> { State = new TestState { Count = 2 } };
        await Storage().WriteStateAsync("service", Id(), first);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage().WriteStateAsync("service", Id(), second));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Null(second.ETag);
    }

    [Fact]
    public async Task Clear_deletes_the_key_and_resets_the_state()
    {
        var state = new GrainState<TestState> { State = new TestState { Count = 1 } };
        await Storage().WriteStateAsync("service", Id(), state);

        await Storage().ClearStateAsync("service", Id(), state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Count);
        Assert.Null(await _store.ReadAsync(_store.KeyOf("services", "hello-world-server"), CancellationToken.None));
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_is_refused_and_the_key_stays()
    {
        var stale = new GrainState<TestState> { State = new TestState { Count = 1 } };
        await Storage().WriteStateAsync("service", Id(), stale);
        var fresh = new GrainState<TestState>();
        await Storage().ReadStateAsync("service", Id(), fresh);
        fresh.State!.Count = 2;
        await Storage().WriteStateAsync("service", Id(), fresh);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage().ClearStateAsync("service", Id(), stale));

        var now = new GrainState<TestState>();
        await Storage().ReadStateAsync("service", Id(), now);
        Assert.Equal(2, now.State!.Count);
    }

    [Fact]
    public async Task Clearing_what_is_already_gone_succeeds()
    {
        var state = new GrainState<TestState> { State = new TestState { Count = 1 } };
        await Storage().WriteStateAsync("service", Id(), state);
        var copy = new GrainState<TestState> { State = state.State, ETag = state.ETag, RecordExists = true };
        await Storage().ClearStateAsync("service", Id(), state);

        await Storage().ClearStateAsync("service", Id(), copy);

        Assert.False(copy.RecordExists);
    }

    [Fact]
    public async Task A_malformed_etag_is_an_inconsistent_state()
    {
        var state = new GrainState<TestState> { State = new TestState(), ETag = "not-a-revision" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage().WriteStateAsync("service", Id(), state));
    }

    [Fact]
    public async Task Keys_with_slashes_stay_one_segment()
    {
        var state = new GrainState<TestState> { State = new TestState { Count = 7 } };
        await Storage().WriteStateAsync("service", Id("a/b c"), state);

        var listed = await _store.ListAsync<TestState>("services");

        var entry = Assert.Single(listed);
        Assert.Equal("a/b c", entry.GrainKey);
        Assert.Equal(7, entry.State.Count);
    }
}
