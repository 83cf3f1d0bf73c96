namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// One container as the engine inspects it: the summary plus exit status, environment and limits. Why: error
/// messages need the exit code, and tests and operators check the contract and limits the container really got.
/// </summary>
public sealed record ContainerDetails : ContainerSummary
{
    /// <summary>Exit code of its last run; meaningful when <see cref="ContainerSummary.State"/> is Exited or Dead.</summary>
    public long ExitCode { get; init; }

    /// <summary>The engine's error for its last start, if any (e.g. a missing executable).</summary>
    public string Error { get; init; } = "";

    /// <summary>True when the kernel killed it for exceeding its memory limit.</summary>
    public bool OomKilled { get; init; }

    /// <summary>When it last started; null if never.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it last stopped; null if it has not.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Its environment (image defaults merged with the runtime's values).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>SERVICE_PORT from <see cref="ContainerLabels.ServicePort"/> (or the environment); null when neither says.</summary>
    public int? ServicePort { get; init; }

    /// <summary>
    /// The container's IPv4 address on its Docker network (the bridge), while it runs; null when it has none. Why: on the
    /// engine's own machine the node reaches the service there directly, without the engine's userland port proxy.
    /// </summary>
    public string? NetworkAddress { get; init; }

    /// <summary>CPU limit in cores (NanoCPUs / 1e9); 0 = none.</summary>
    public double CpuCores { get; init; }

    /// <summary>Memory limit in MiB (bytes / 2^20); 0 = none.</summary>
    public long MemoryMiB { get; init; }

    /// <summary>Whether the engine's init process runs as PID 1.</summary>
    public bool Init { get; init; }

    /// <summary>The restart policy's name ("no" for every container this runtime creates).</summary>
    public string RestartPolicy { get; init; } = "";
}
