namespace PhysarumSM.TestKit;

/// <summary>Finds the repository (the folder holding PhysarumSM.sln), so tests can start scripts and built executables.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PhysarumSM.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no PhysarumSM.sln above {AppContext.BaseDirectory}");
    });

    public static string Path => Root.Value;
}
