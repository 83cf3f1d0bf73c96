using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client.Tests.InProcess;

/// <summary>The event feed against the real event log grain: it keeps going when the log loses its state.</summary>
[Collection(ClientClusterCollection.Name)]
public sealed class EventFeedClusterTests(ClientClusterFixture fixture)
{
    [Fact]
    public async Task The_feed_follows_the_event_log_through_a_deactivation()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        await using var provider = fixture.NewClient();
        var client = provider.GetRequiredService<IPhysarumClient>();
        await using var events = EventRecorder.Start(client);
        var before = ClientClusterFixture.NewName("before");
        await events.PrimeAsync(
            () => client.RegisterAsync(new ServiceInfo { Name = before, DockerHash = "sha256:" + new string('d', 64) }, cancellationToken: ct),
            e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == before, ct);

        // The log is in memory: deactivating it drops every event and restarts its numbering at 1.
        await fixture.Cluster.DeactivateAsync(fixture.Cluster.Client.GetGrain<IMeshEventLogGrain>(IMeshEventLogGrain.Key));

        var after = ClientClusterFixture.NewName("after");
        await client.RegisterAsync(new ServiceInfo { Name = after, DockerHash = "sha256:" + new string('d', 64) }, cancellationToken: ct);
        await client.DeleteAsync(after, ct);
        await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == after, ct, $"{after} registered after the restart");
        await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceDeleted && e.Service == after, ct, $"{after} deleted after the restart");
        await client.DeleteAsync(before, ct);
    }

    [Fact]
    public async Task From_start_the_feed_replays_what_the_log_holds()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        await using var provider = fixture.NewClient();
        var client = provider.GetRequiredService<IPhysarumClient>();
        var name = ClientClusterFixture.NewName("replayed");
        await client.RegisterAsync(new ServiceInfo { Name = name, DockerHash = "sha256:" + new string('e', 64) }, cancellationToken: ct);
        await client.DeleteAsync(name, ct);

        // Started after both happened, from the start: both are there, in order.
        await using var events = EventRecorder.Start(client, fromStart: true);
        var registered = await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == name, ct);
        var deleted = await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceDeleted && e.Service == name, ct);
        Assert.True(registered.Sequence < deleted.Sequence);
        var sequences = events.Seen.Select(e => e.Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Distinct().Count(), sequences.Count);
    }
}
