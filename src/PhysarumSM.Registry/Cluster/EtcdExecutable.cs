namespace PhysarumSM.Registry.Cluster;

/// <summary>Finds the etcd binary: the configured path, else PATH, else where Debian installs it.</summary>
internal static class EtcdExecutable
{
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new EtcdNotFoundException(configured);
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return directories.Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists)
            ?? throw new EtcdNotFoundException("PATH and " + string.Join(", ", directories.TakeLast(3)));
    }
}
