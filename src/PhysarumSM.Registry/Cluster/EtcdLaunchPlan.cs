using System.Text.Json;

namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// The cluster flags a member was first started with, kept beside its data. Why: a restart must pass the same
/// initial cluster, and a joiner that crashed before its first start must not be added to the cluster twice.
/// </summary>
internal sealed record EtcdLaunchPlan(string InitialCluster, string InitialClusterState, string? ClusterToken)
{
    private const string FileName = "etcd-member.json";

    public static EtcdLaunchPlan? Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<EtcdLaunchPlan>(File.ReadAllBytes(path)) : null;
    }

    public void Save(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(this));
        File.Move(temporary, path, overwrite: true);
    }
}
