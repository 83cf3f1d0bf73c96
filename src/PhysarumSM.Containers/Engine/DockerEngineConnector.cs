using Docker.DotNet;

namespace PhysarumSM.Containers.Engine;

/// <summary>
/// Creates Docker.DotNet clients from <see cref="DockerEngineOptions"/>, and checks that an engine answers.
/// Why one type: the image builder now and the container runtime later must reach the same engine the same way.
/// </summary>
public sealed class DockerEngineConnector
{
    private readonly DockerEngineOptions _options;

    /// <summary>Uses <paramref name="options"/> (null = defaults: DOCKER_HOST or the local socket).</summary>
    public DockerEngineConnector(DockerEngineOptions? options = null)
    {
        _options = options ?? new DockerEngineOptions();
        Endpoint = _options.ResolveEndpoint();
    }

    /// <summary>The endpoint clients connect to.</summary>
    public Uri Endpoint { get; }

    /// <summary>A client for the engine; nothing is sent until it is used. The caller disposes it.</summary>
    public DockerClient CreateClient()
    {
        // The configuration owns the HTTP handler; the client disposes it with itself.
        var configuration = new DockerClientConfiguration(Endpoint, defaultTimeout: _options.RequestTimeout);
        return _options.ApiVersion is { Length: > 0 } version
            ? configuration.CreateClient(Version.Parse(version))
            : configuration.CreateClient();
    }

    /// <summary>A client whose engine has answered a ping.</summary>
    /// <exception cref="DockerEngineUnavailableException">Nothing answers at <see cref="Endpoint"/>.</exception>
    public async Task<DockerClient> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var client = CreateClient();
        try
        {
            await client.System.PingAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            client.Dispose();
            throw new DockerEngineUnavailableException(Endpoint, ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="exception"/> means the engine could not be reached (not an API error, not our cancellation).</summary>
    public static bool IsUnreachable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException or System.Net.Sockets.SocketException => true,
        IOException => exception.InnerException is System.Net.Sockets.SocketException,
        // Docker.DotNet reports its own request timeout as a cancellation that is not ours.
        TaskCanceledException or TimeoutException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
