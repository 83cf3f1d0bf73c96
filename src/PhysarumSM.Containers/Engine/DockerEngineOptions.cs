namespace PhysarumSM.Containers.Engine;

/// <summary>
/// Where and how to reach the Docker engine; bound from configuration (section "Docker"). Why options: the node,
/// the CLI and tests point at different engines (a local socket, DOCKER_HOST, a test daemon).
/// </summary>
public sealed class DockerEngineOptions
{
    /// <summary>The conventional configuration section name.</summary>
    public const string SectionName = "Docker";

    /// <summary>The engine's socket when neither <see cref="Endpoint"/> nor DOCKER_HOST says otherwise.</summary>
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    /// <summary>Engine endpoint (unix:///path or tcp://host:port); null or empty = DOCKER_HOST, else <see cref="DefaultEndpoint"/>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Timeout of short requests (inspect, ping, tag); streamed ones (build, save, push) are bounded by their CancellationToken.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Engine API version to ask for (e.g. "1.41"); null = the engine's own.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>The endpoint actually used: <see cref="Endpoint"/>, else DOCKER_HOST, else <see cref="DefaultEndpoint"/>.</summary>
    public Uri ResolveEndpoint()
    {
        var configured = !string.IsNullOrWhiteSpace(Endpoint) ? Endpoint : Environment.GetEnvironmentVariable("DOCKER_HOST");
        var text = string.IsNullOrWhiteSpace(configured) ? DefaultEndpoint : configured.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
        {
            throw new ArgumentException($"Docker endpoint '{text}' is not valid: use unix:///path/to/docker.sock or tcp://host:port");
        }

        return uri;
    }
}
