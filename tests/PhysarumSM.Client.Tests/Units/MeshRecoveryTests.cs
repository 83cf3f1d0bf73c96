using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>The failover wait the client and the gateway share: transient failures are retried with a growing backoff, others are not.</summary>
public sealed class MeshRecoveryTests
{
    [Fact]
    public async Task Transient_failures_are_retried_with_a_doubling_backoff_until_the_call_succeeds()
    {
        var calls = 0;
        var retries = new List<(int Attempt, TimeSpan Backoff)>();

        var result = await MeshRecovery.RetryAsync(
            _ => ++calls < 3 ? throw new MeshRebuildingException("directory filling") : Task.FromResult("served"),
            MeshRecovery.IsClusterInFlux,
            (attempt, backoff, _) => retries.Add((attempt, backoff)),
            CancellationToken.None);

        Assert.Equal("served", result);
        Assert.Equal(3, calls);
        Assert.Equal([(1, TimeSpan.FromMilliseconds(100)), (2, TimeSpan.FromMilliseconds(200))], retries);
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_thrown_at_once()
    {
        var calls = 0;
        await Assert.ThrowsAsync<KeyNotFoundException>(() => MeshRecovery.RetryAsync<string>(
            _ => { calls++; throw new KeyNotFoundException("not registered"); },
            MeshRecovery.IsClusterInFlux, retrying: null, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Once_the_callers_token_fired_the_last_failure_is_thrown_instead_of_waiting_again()
    {
        using var cancel = new CancellationTokenSource();
        var calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => MeshRecovery.RetryAsync<string>(
            _ =>
            {
                if (++calls == 2)
                {
                    cancel.Cancel();
                }

                throw new SiloUnavailableException("silo gone");
            },
            MeshRecovery.IsClusterInFlux, retrying: null, cancel.Token));
        Assert.Equal(2, calls);
    }
}
