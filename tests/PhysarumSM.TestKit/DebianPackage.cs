using System.Diagnostics;

namespace PhysarumSM.TestKit;

/// <summary>
/// Finds a server executable, installing its Debian package with apt-get when it is missing. Why in the
/// fixtures too (not only scripts/setup.sh): a test run from an IDE or a single project must still start
/// the real server rather than skip or fake it.
/// </summary>
public static class DebianPackage
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Returns the path of <paramref name="executable"/>, installing <paramref name="package"/> first if needed.</summary>
    public static async Task<string> EnsureExecutableAsync(string executable, string package, CancellationToken cancellationToken)
    {
        if (Find(executable) is { } found)
        {
            return found;
        }

        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Find(executable) is { } raced)
            {
                return raced;
            }

            // The package lists may be missing on a fresh machine: install, and on failure update once and retry.
            if (await AptGetAsync(["install", "-y", "-qq", package], cancellationToken).ConfigureAwait(false) != 0)
            {
                await AptGetAsync(["update", "-qq"], cancellationToken).ConfigureAwait(false);
                await AptGetAsync(["install", "-y", "-qq", package], cancellationToken).ConfigureAwait(false);
            }

            return Find(executable) ?? throw new InvalidOperationException(
                $"{executable} is not installed and 'apt-get install -y {package}' did not install it; run scripts/setup.sh test as root");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<int> AptGetAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("apt-get") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add("DPkg::Lock::Timeout=300");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var process = Process.Start(start)!;
            var drainOut = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var drainErr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(drainOut, drainErr).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no apt-get on this machine
        }
    }

    private static string? Find(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);
}
