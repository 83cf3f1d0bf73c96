using StackExchange.Redis;

namespace PhysarumSM.Node.Cluster;

/// <summary>
/// Reads the <c>-redis</c> value. Why not just <see cref="ConfigurationOptions.Parse(string)"/>: it accepts "redis" and
/// silently adds port 6379, and its errors name no flag; a user who typed a wrong address should be told so.
/// </summary>
internal static class RedisMembershipAddress
{
    public static ConfigurationOptions Parse(string connectionString)
    {
        var endpoints = 0;
        foreach (var part in connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Contains('='))
            {
                continue;   // a StackExchange.Redis option such as password=...
            }

            if (!HostPort.TryParse(part, out _))
            {
                throw new ArgumentException(
                    connectionString.Contains(',')
                        ? $"redis address '{part}' (in '{connectionString}') is not HOST:PORT"
                        : $"redis address '{part}' is not HOST:PORT");
            }

            endpoints++;
        }

        if (endpoints == 0)
        {
            throw new ArgumentException($"redis address '{connectionString}' is not HOST:PORT");
        }

        try
        {
            return ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"redis connection string '{connectionString}' is invalid: {ex.Message}", ex);
        }
    }
}
