using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Instances;

namespace PhysarumSM.Grains.Tests.Instances;

/// <summary>Instance lifecycles reach the mesh event log, in order, and readers page through it by sequence.</summary>
[Collection(AllocatorCollection.Name)]
public sealed class MeshEventLogTests(AllocatorFixture fixture)
{
    [Fact]
    public async Task A_started_then_stopped_instance_is_logged_in_order_and_pages_continue_after_the_last_sequence()
    {
        var log = fixture.Mesh.Client.GetGrain<IMeshEventLogGrain>(IMeshEventLogGrain.Key);
        var before = (await log.Since(long.MaxValue - 1)).Last;
        var key = new InstanceKey(AllocatorFixture.Service, fixture.NodeA, 41);

        await fixture.Mesh.Client.GetInstanceGrain(key).EnsureStarted();
        await fixture.Mesh.Client.GetInstanceGrain(key).Stop();

        List<MeshEvent> mine = [];
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (mine.Count < 2)
        {
            await Task.Delay(50, guard.Token);   // appends are one-way
            mine = [.. (await log.Since(before)).Events.Where(e => e.InstanceId == key.Format())];
        }

        Assert.Equal([MeshEventKind.InstanceStarted, MeshEventKind.InstanceStopped], mine.Select(e => e.Kind));
        Assert.All(mine, e => Assert.Equal(fixture.NodeA, e.NodeId));
        Assert.Contains("started a new container", mine[0].Message, StringComparison.Ordinal);
        Assert.True(mine[0].Sequence < mine[1].Sequence);

        var after = await log.Since(mine[1].Sequence);
        Assert.DoesNotContain(after.Events, e => e.Sequence <= mine[1].Sequence);
        Assert.False(after.Missed);
    }
}
