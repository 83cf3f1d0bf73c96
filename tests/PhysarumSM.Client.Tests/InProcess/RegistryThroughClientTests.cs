using Microsoft.Extensions.DependencyInjection;
using PhysarumSM.Contracts.Events;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client.Tests.InProcess;

/// <summary>Register, get, list and delete through <see cref="IPhysarumClient"/>, with the event feed watching.</summary>
[Collection(ClientClusterCollection.Name)]
public sealed class RegistryThroughClientTests(ClientClusterFixture fixture)
{
    private static ServiceInfo Service(string name, int softRttMs = 20) => new()
    {
        Name = name,
        DockerHash = "sha256:" + new string('c', 64),
        ContentHash = "client-tests",
        SoftRttMs = softRttMs,
        HardRttMs = 100,
        CpuReq = 0.25,
        MemoryReq = 32,
    };

    [Fact]
    public async Task A_service_registered_through_the_client_is_read_listed_and_deleted_and_the_feed_sees_both_events()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        await using var provider = fixture.NewClient();
        var client = provider.GetRequiredService<IPhysarumClient>();
        await using var events = EventRecorder.Start(client);
        var name = ClientClusterFixture.NewName("registry");
        var info = Service(name);

        ServiceRecord? registered = null;
        await events.PrimeAsync(
            async () => registered = await client.RegisterAsync(info, cancellationToken: ct),
            e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == name, ct);

        var read = await client.GetAsync(name, ct);
        Assert.NotNull(read);
        Assert.Equal(info, read.Info);
        Assert.Equal(registered!.Version, read.Version);
        Assert.Contains(await client.ListAsync(ct), r => r.Info.Name == name);

        // A stale version is refused with the registry's own exception.
        var stale = await Assert.ThrowsAsync<ServiceConflictException>(() => client.RegisterAsync(info with { MemoryReq = 64 }, read.Version - 1, ct));
        Assert.Contains(name, stale.Message, StringComparison.Ordinal);
        var updated = await client.RegisterAsync(info with { MemoryReq = 64 }, read.Version, ct);
        Assert.True(updated.Version > read.Version);

        Assert.True(await client.DeleteAsync(name, ct));
        Assert.Null(await client.GetAsync(name, ct));
        Assert.DoesNotContain(await client.ListAsync(ct), r => r.Info.Name == name);
        var deleted = await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceDeleted && e.Service == name, ct, $"{name} deleted");
        var registeredEvent = await events.WaitAsync(e => e.Kind == MeshEventKind.ServiceRegistered && e.Service == name, ct);
        Assert.True(deleted.Sequence > registeredEvent.Sequence);
        Assert.False(await client.DeleteAsync(name, ct));
    }

    [Fact]
    public async Task Bad_input_fails_in_the_client_with_the_reason()
    {
        await using var provider = fixture.NewClient();
        var client = provider.GetRequiredService<IPhysarumClient>();
        var inverted = await Assert.ThrowsAsync<ArgumentException>(() => client.RegisterAsync(Service("inverted", softRttMs: 500)));
        Assert.Contains("soft RTT requirement (500 ms) is above the hard one", inverted.Message, StringComparison.Ordinal);
        var badName = await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync("no/slashes"));
        Assert.Contains("is not valid", badName.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("", new HttpRequestMessage()));
    }

    [Fact]
    public async Task Resolving_an_unknown_service_says_it_is_not_registered_and_refusals_pass_through()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = guard.Token;
        await using var provider = fixture.NewClient(o => o.FromNode = "12D3KooWClientTestsEntry");
        var client = provider.GetRequiredService<IPhysarumClient>();

        var unknown = ClientClusterFixture.NewName("unknown");
        var missing = await Assert.ThrowsAsync<ServiceNotFoundException>(() => client.ResolveAsync(unknown, ct));
        Assert.Equal(unknown, missing.Service);
        Assert.IsAssignableFrom<KeyNotFoundException>(missing);

        // This cluster has no allocator: the service grain's refusal reaches the caller as is.
        var name = ClientClusterFixture.NewName("no-allocator");
        await client.RegisterAsync(Service(name), cancellationToken: ct);
        var refused = await Assert.ThrowsAsync<NoInstanceWithinRequirementException>(() => client.ResolveAsync(name, ct));
        Assert.Equal(name, refused.Service);
        Assert.Equal("12D3KooWClientTestsEntry", refused.FromNode);
        await client.DeleteAsync(name, ct);
    }
}
