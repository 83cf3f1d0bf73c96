using PhysarumSM.Contracts;

namespace PhysarumSM.Grains;

/// <summary>The checks every accepted link sample passes, shared by the node and link grains so both reject the same input.</summary>
internal static class LinkSampleRules
{
    /// <summary>Throws when the figures could poison an RTT ranking (negative, NaN, infinite) or the link is a self-loop.</summary>
    public static void Validate(LinkSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var key = sample.Key;   // validates both peer IDs
        if (string.Equals(key.From, key.To, StringComparison.Ordinal))
        {
            throw new ArgumentException($"link sample {key} measures a node against itself", nameof(sample));
        }

        if (!IsRtt(sample.LastRttMs) || !IsRtt(sample.EwmaRttMs))
        {
            throw new ArgumentException(
                $"link sample {key} has RTTs last={sample.LastRttMs} ewma={sample.EwmaRttMs}; both must be finite and not negative",
                nameof(sample));
        }

        if (sample.SampleCount < 0)
        {
            throw new ArgumentException($"link sample {key} has a negative sample count {sample.SampleCount}", nameof(sample));
        }
    }

    private static bool IsRtt(double ms) => double.IsFinite(ms) && ms >= 0;
}
