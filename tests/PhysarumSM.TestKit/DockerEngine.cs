using System.Diagnostics;
using Docker.DotNet;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Engine;

namespace PhysarumSM.TestKit;

/// <summary>
/// The machine's real Docker engine for tests: starts dockerd (deploy/start-dockerd.sh) and makes the local base
/// image (deploy/make-base-image.sh) once per test run, then hands out a connected client. Why real: image builds,
/// port publishing and container limits are the engine's behaviour, which a fake would only guess at.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    private static readonly SemaphoreSlim PrepareGate = new(1, 1);
    private static readonly TimeSpan ScriptGuard = TimeSpan.FromMinutes(10);
    private static bool engineReady;
    private static bool sampleReady;
    private static bool greeterReady;

    private DockerEngine(DockerClient client, Uri endpoint)
    {
        Client = client;
        Endpoint = endpoint;
    }

    /// <summary>A client whose engine answered a ping.</summary>
    public DockerClient Client { get; }

    /// <summary>Where the engine listens.</summary>
    public Uri Endpoint { get; }

    /// <summary>The local base image every sample and test image builds on (made if missing).</summary>
    public static string BaseImage => ServiceConfig.DefaultBaseImage;

    /// <summary>samples/HelloWorld, the build directory of the sample's image-conf.json.</summary>
    public static string HelloWorldDirectory => Path.Combine(RepositoryRoot.Path, "samples", "HelloWorld");

    /// <summary>samples/Greeter, the build directory of the Greeter sample's image-conf.json.</summary>
    public static string GreeterDirectory => Path.Combine(RepositoryRoot.Path, "samples", "Greeter");

    /// <summary>Makes sure the engine runs and the base image exists (once per run, serialised), then connects.</summary>
    /// <param name="cancellationToken">A failure guard: cancel to give up waiting.</param>
    public static async Task<DockerEngine> StartAsync(CancellationToken cancellationToken = default)
    {
        await PrepareGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!engineReady)
            {
                await RunScriptAsync(Path.Combine("deploy", "start-dockerd.sh"), cancellationToken).ConfigureAwait(false);
                await RunScriptAsync(Path.Combine("deploy", "make-base-image.sh"), cancellationToken).ConfigureAwait(false);
                engineReady = true;
            }
        }
        finally
        {
            PrepareGate.Release();
        }

        var connector = new DockerEngineConnector();
        var client = await connector.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return new DockerEngine(client, connector.Endpoint);
    }

    /// <summary>Publishes the HelloWorld sample (samples/HelloWorld/build.sh) once per run; returns its build directory.</summary>
    /// <param name="cancellationToken">A failure guard: cancel to give up waiting.</param>
    public static async Task<string> PublishHelloWorldAsync(CancellationToken cancellationToken = default)
    {
        await PrepareGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!sampleReady)
            {
                await RunScriptAsync(Path.Combine("samples", "HelloWorld", "build.sh"), cancellationToken).ConfigureAwait(false);
                sampleReady = true;
            }

            return HelloWorldDirectory;
        }
        finally
        {
            PrepareGate.Release();
        }
    }

    /// <summary>Publishes the Greeter sample (samples/Greeter/build.sh) once per run; returns its build directory.</summary>
    /// <param name="cancellationToken">A failure guard: cancel to give up waiting.</param>
    public static async Task<string> PublishGreeterAsync(CancellationToken cancellationToken = default)
    {
        await PrepareGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!greeterReady)
            {
                await RunScriptAsync(Path.Combine("samples", "Greeter", "build.sh"), cancellationToken).ConfigureAwait(false);
                greeterReady = true;
            }

            return GreeterDirectory;
        }
        finally
        {
            PrepareGate.Release();
        }
    }

    /// <summary>Disposes the client; the daemon keeps running for the rest of the run (and for other test processes).</summary>
    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task RunScriptAsync(string relativePath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, relativePath));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(ScriptGuard);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start bash for {relativePath}");
        var output = process.StandardOutput.ReadToEndAsync(guard.Token);
        var error = process.StandardError.ReadToEndAsync(guard.Token);
        try
        {
            await process.WaitForExitAsync(guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{relativePath} did not finish within {ScriptGuard.TotalMinutes} minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{relativePath} failed with exit code {process.ExitCode}:{Environment.NewLine}{await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
        }
    }
}
