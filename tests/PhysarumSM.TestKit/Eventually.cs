namespace PhysarumSM.TestKit;

/// <summary>
/// Polls a condition until it holds. Why: tests wait for distributed state to converge without asserting
/// on how long it takes; the cancellation token is only the failure guard.
/// </summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static async Task HoldsAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> is true; HTTP failures count as "not yet" (a node may be restarting).
    /// Throws a <see cref="TimeoutException"/> naming <paramref name="because"/> when the guard fires.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, CancellationToken cancellationToken, string? because = null)
    {
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not reachable yet; try again.
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"condition never held{(because is null ? "" : ": " + because)}");
            }

            await Task.Delay(250, CancellationToken.None);
        }
    }
}
