namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// An instance container could not be started or never became ready. Why its own type: the allocator tries another
/// node on it, and the message alone (image, exit code, last log lines) tells an operator what went wrong.
/// </summary>
public sealed class ContainerStartException : Exception
{
    /// <summary>Creates the exception with everything known about the failure.</summary>
    public ContainerStartException(string message, string image, string? containerId, long? exitCode, IReadOnlyList<string> logTail, Exception? innerException = null)
        : base(Compose(message, logTail), innerException)
    {
        Image = image;
        ContainerId = containerId;
        ExitCode = exitCode;
        LogTail = logTail;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public ContainerStartException(string message)
        : this(message, "", null, null, [])
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ContainerStartException(string message, Exception innerException)
        : this(message, "", null, null, [], innerException)
    {
    }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public ContainerStartException()
        : this("the container did not start")
    {
    }

    /// <summary>The image that was run.</summary>
    public string Image { get; }

    /// <summary>The container's id when one was created (already removed by the runtime only if the message says so).</summary>
    public string? ContainerId { get; }

    /// <summary>The container's exit code when it exited; null when it was never started or is still running.</summary>
    public long? ExitCode { get; }

    /// <summary>The container's last log lines (stdout and stderr, in order); empty when none.</summary>
    public IReadOnlyList<string> LogTail { get; }

    private static string Compose(string message, IReadOnlyList<string> logTail) =>
        logTail.Count == 0
            ? message
            : $"{message}; its last log lines:{System.Environment.NewLine}  {string.Join($"{System.Environment.NewLine}  ", logTail)}";
}
