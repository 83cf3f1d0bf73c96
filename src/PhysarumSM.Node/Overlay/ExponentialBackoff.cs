namespace PhysarumSM.Node.Overlay;

/// <summary>Doubling delays with a cap. Why one place: bootstrap retries, bootstrap redials and mesh dials share the rule.</summary>
internal static class ExponentialBackoff
{
    /// <summary><paramref name="initial"/> × 2^<paramref name="failures"/>, at most <paramref name="cap"/> (no overflow for any count).</summary>
    public static TimeSpan Delay(TimeSpan initial, int failures, TimeSpan cap)
    {
        if (initial <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        if (initial >= cap)
        {
            return cap;
        }

        var delay = initial;
        for (var i = 0; i < failures; i++)
        {
            if (delay >= cap - delay)
            {
                return cap;
            }

            delay += delay;
        }

        return delay;
    }
}
