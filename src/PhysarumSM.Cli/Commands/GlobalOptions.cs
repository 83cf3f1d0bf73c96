using System.CommandLine;
using PhysarumSM.Cli.Overlay;

namespace PhysarumSM.Cli.Commands;

/// <summary>Options every command takes (the original tools' -bootstrap and -psk), and the shared run wrapper.</summary>
internal sealed class GlobalOptions
{
    public Option<string[]> Bootstrap { get; } = new("--bootstrap", "-bootstrap")
    {
        Description = "bootstrap node multiaddr ending in /p2p/<peer id>, repeatable (env P2P_BOOTSTRAPS)",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string> Psk { get; } = new("--psk", "-psk")
    {
        Description = "private-network passphrase (env P2P_PSK)",
        Recursive = true,
    };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "seconds to wait for the mesh (default 60)",
        Recursive = true,
        DefaultValueFactory = _ => 60,
    };

    /// <summary>Runs <paramref name="work"/> with a connected registry client; errors become one line and an exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<RegistryClient, CancellationToken, Task<int>> work, IReadOnlyList<string>? fallbackBootstraps = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(parse.GetValue(Timeout)));
        try
        {
            var settings = OverlaySettings.Resolve(parse.GetValue(Bootstrap), parse.GetValue(Psk), Environment.GetEnvironmentVariable, fallbackBootstraps);
            await using var client = new RegistryClient(settings);
            return await work(client, timeout.Token);
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"physarum: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"physarum: no answer from the mesh within {parse.GetValue(Timeout)} s (check --bootstrap and --psk)");
            return 3;
        }
    }
}
