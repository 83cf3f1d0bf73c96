namespace PhysarumSM.Containers.Tests.Configuration;

/// <summary>A throw-away build directory with the files a test config names; why: Copy sources are checked on disk.</summary>
internal sealed class BuildDirectory : IDisposable
{
    public BuildDirectory(params string[] files)
    {
        Path = Directory.CreateTempSubdirectory("physarum-conf-").FullName;
        foreach (var file in files)
        {
            Add(file, "content of " + file);
        }
    }

    public string Path { get; }

    public string Add(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
