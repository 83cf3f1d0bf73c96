using System.Text.Json;
using PhysarumSM.Registry.Client;

namespace PhysarumSM.Registry.Storage;

/// <summary>
/// Where and how the etcd grain storage keeps state; bound per storage name from <see cref="SectionName"/>. Why
/// options rather than constructor arguments: the node fills them from flags, tests from code, operators from config.
/// </summary>
public sealed class EtcdStorageOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Registry:Etcd";

    /// <summary>The key prefix of the original layout: services live at <c>/physarum/services/&lt;name&gt;</c>.</summary>
    public const string DefaultKeyPrefix = "/physarum";

    /// <summary>etcd's default client port, as the original.</summary>
    public const int DefaultClientPort = 2379;

    /// <summary>etcd client URLs (<c>http://10.0.0.5:2379</c>); calls go round robin to the reachable ones.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>
    /// Every key starts with this (no trailing slash). A grain's state is at <c>{KeyPrefix}/{grainType}/{grainKey}</c>;
    /// the state name is not part of the key, so a grain type keeps one state per storage.
    /// </summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>Deadline of one etcd call, retries included. Default 5 s.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening a TCP connection to one endpoint may take. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// When a linearizable read fails (typically: this member lost its quorum), read the member's local copy instead.
    /// Why default on: the registry is read far more than written, a stale read is still a registered service, and
    /// writes stay compare-and-set on the revision, so a stale read can only cause a reported conflict, never a lost write.
    /// </summary>
    public bool AllowStaleReads { get; set; } = true;

    /// <summary>How state is written to etcd: System.Text.Json, web defaults (camelCase), so etcdctl shows readable JSON.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Parses <c>-etcd-endpoints</c> input (comma-separated <c>http://HOST:PORT</c>, <c>HOST:PORT</c> or <c>HOST</c>) into
    /// <see cref="Endpoints"/> form; a missing port is <see cref="DefaultClientPort"/>.
    /// </summary>
    public static IReadOnlyList<string> ParseEndpoints(string commaSeparated)
    {
        ArgumentNullException.ThrowIfNull(commaSeparated);
        return EtcdEndpoints.Parse(commaSeparated, DefaultClientPort);
    }
}
