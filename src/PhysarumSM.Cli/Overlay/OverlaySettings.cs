using System.Text;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Cli.Overlay;

/// <summary>How the CLI reaches the mesh: bootstrap addresses and the PSK, from flags or the original's env vars.</summary>
public sealed record OverlaySettings(IReadOnlyList<Multiaddr> Bootstraps, string? Psk)
{
    /// <summary>Flags win; otherwise P2P_BOOTSTRAPS (space separated) and P2P_PSK, as the original tools.</summary>
    /// <param name="bootstrapFlags">The --bootstrap values.</param>
    /// <param name="pskFlag">The --psk value.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="fallback">Bootstraps to use when neither flags nor environment give any (a config file's).</param>
    /// <param name="noBootstrapExitCode">Exit code when no bootstrap is given at all (the proxy treats it as mesh unreachable, 3).</param>
    public static OverlaySettings Resolve(IReadOnlyList<string>? bootstrapFlags, string? pskFlag, Func<string, string?> environment, IReadOnlyList<string>? fallback = null, int noBootstrapExitCode = 1)
    {
        var fromEnvironment = (environment("P2P_BOOTSTRAPS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (texts, source) = bootstrapFlags is { Count: > 0 } ? (bootstrapFlags, "--bootstrap")
            : fromEnvironment.Length > 0 ? (fromEnvironment, "P2P_BOOTSTRAPS")
            : (fallback ?? [], "PerfConf.Bootstraps");
        var bootstraps = new List<Multiaddr>();
        foreach (var text in texts)
        {
            if (!Multiaddr.TryParse(text, out var address) || address!.PeerId is null)
            {
                throw new CliException($"{source}: '{text}' is not a full multiaddr ending in /p2p/<peer id>; copy one from the 'listening:' lines a physarum-node prints");
            }

            bootstraps.Add(address);
        }

        if (bootstraps.Count == 0)
        {
            throw new CliException("no bootstrap given: pass --bootstrap /ip4/HOST/tcp/4001/p2p/<peer id> (or set P2P_BOOTSTRAPS)", noBootstrapExitCode);
        }

        var psk = string.IsNullOrEmpty(pskFlag) ? environment("P2P_PSK") : pskFlag;
        return new OverlaySettings(bootstraps, string.IsNullOrEmpty(psk) ? null : psk);
    }

    /// <summary>
    /// Why not the record's own printing: it would show the PSK to whatever logs or formats these settings (and
    /// ProxySettings, which holds them); say only whether one is set.
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Bootstraps = [").AppendJoin(", ", Bootstraps).Append("], Psk = ").Append(Psk is null ? "none" : "(set, not shown)");
        return true;
    }
}

/// <summary>A failure to report to the user as one line, with the exit code to use.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
