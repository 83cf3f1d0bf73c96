namespace PhysarumSM.Node.Cluster;

/// <summary>The single cluster-membership choice of a node's silo.</summary>
public static class NodeClusteringSiloBuilderExtensions
{
    /// <summary>
    /// Localhost clustering (the default: one machine, each node process with its own ports, all pointing at the
    /// primary's silo endpoint) or Redis membership when <see cref="NodeClusterOptions.RedisConnectionString"/> is set;
    /// mutual TLS on every Orleans connection when <see cref="NodeClusterOptions.Certificate"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException">A value is malformed or contradicts the mode; the message names it and says what to do.</exception>
    public static ISiloBuilder UsePhysarumClustering(this ISiloBuilder silo, NodeClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ClusterPlan.From(options).Apply(silo);
        if (options.Certificate is { } certificate)
        {
            silo.UseClusterTls(certificate);
        }

        return silo;
    }
}
