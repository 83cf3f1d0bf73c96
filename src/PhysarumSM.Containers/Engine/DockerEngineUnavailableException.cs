namespace PhysarumSM.Containers.Engine;

/// <summary>
/// No Docker engine answered at the configured endpoint. Why its own type: callers (CLI, node) turn it into one
/// actionable line instead of an HTTP stack trace.
/// </summary>
public sealed class DockerEngineUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="endpoint"/>, keeping the transport's error as the cause.</summary>
    public DockerEngineUnavailableException(Uri endpoint, Exception? innerException)
        : base(Describe(endpoint, innerException), innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>Creates an exception for the default endpoint (for serializers and tooling).</summary>
    public DockerEngineUnavailableException()
        : this(new Uri(DockerEngineOptions.DefaultEndpoint), null)
    {
    }

    /// <summary>The endpoint that did not answer.</summary>
    public Uri Endpoint { get; }

    private static string Describe(Uri endpoint, Exception? cause)
    {
        var detail = cause is null ? "" : $" ({Innermost(cause).Message})";
        return $"no Docker engine at {endpoint}: start dockerd (deploy/start-dockerd.sh does, as root) or point Docker:Endpoint or DOCKER_HOST at a running engine{detail}";
    }

    private static Exception Innermost(Exception ex) => ex.InnerException is null ? ex : Innermost(ex.InnerException);
}
