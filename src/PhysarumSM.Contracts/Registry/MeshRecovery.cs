namespace PhysarumSM.Contracts.Registry;

/// <summary>
/// Waiting out a failover: a call whose failure says the cluster is still settling is made again with a short backoff
/// (100 ms, doubling to 1 s) until the caller's token fires. Why in the contracts: the gateway's resolver and the client
/// API wait the same way, as a request does for a cold start.
/// </summary>
public static class MeshRecovery
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Failures that end once the cluster settled: a silo that stopped answering, a mesh directory still filling.</summary>
    public static bool IsClusterInFlux(Exception ex) =>
        ex is MeshRebuildingException or OrleansMessageRejectionException or SiloUnavailableException;

    /// <summary>
    /// Runs <paramref name="call"/> until it succeeds, fails in a way <paramref name="isTransient"/> rejects, or
    /// <paramref name="cancellationToken"/> fires; <paramref name="retrying"/> hears each retry (attempt, backoff, failure).
    /// </summary>
    public static async Task<T> RetryAsync<T>(
        Func<CancellationToken, Task<T>> call,
        Func<Exception, bool> isTransient,
        Action<int, TimeSpan, Exception>? retrying,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(isTransient);
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (isTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                retrying?.Invoke(attempt, backoff, ex);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
