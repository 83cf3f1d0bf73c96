using System.Runtime.CompilerServices;

namespace PhysarumSM.TestKit;

/// <summary>
/// Finds the repository (the folder holding PhysarumSM.sln), so tests can start scripts, the js peer and
/// built executables. Why several starting points: with --artifacts-path the binaries live outside the
/// repository, and then the working directory or this file's compile-time path still lead back to it.
/// </summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() => Find());

    /// <summary>The repository root; PHYSARUM_REPO_ROOT overrides the search.</summary>
    public static string Path => Root.Value;

    private static string Find([CallerFilePath] string sourceFile = "")
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PHYSARUM_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(System.IO.Path.Combine(fromEnvironment, "PhysarumSM.sln")))
        {
            return fromEnvironment;
        }

        string?[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory, System.IO.Path.GetDirectoryName(sourceFile)];
        foreach (var start in starts)
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "PhysarumSM.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"no PhysarumSM.sln above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set PHYSARUM_REPO_ROOT");
    }
}
