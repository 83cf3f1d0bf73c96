namespace PhysarumSM.Containers.Configuration;

/// <summary>
/// A validated service config, whichever shape it was written in. Why one record for both shapes: the CLI,
/// the image builder and the registry need the same facts (requirements and build steps), not the file's layout.
/// </summary>
public sealed record ServiceConfig
{
    /// <summary>The image every config builds on unless <c>DockerConf.From</c> names another; made by deploy/make-base-image.sh.</summary>
    public const string DefaultBaseImage = "physarum/base:bookworm";

    /// <summary>Which of the original's two file shapes this came from.</summary>
    public required ServiceConfigShape Shape { get; init; }

    /// <summary>Preferred caller-to-instance RTT in milliseconds; 0 = none.</summary>
    public int SoftRttMs { get; init; }

    /// <summary>Maximum caller-to-instance RTT in milliseconds; 0 = none.</summary>
    public int HardRttMs { get; init; }

    /// <summary>CPU limit of one instance in cores; 0 = no limit.</summary>
    public double CpuReq { get; init; }

    /// <summary>Memory limit of one instance in MiB; 0 = no limit.</summary>
    public long MemoryReq { get; init; }

    /// <summary>PerfConf.Bootstraps of the image-conf.json shape; kept for display, the node sets P2P_BOOTSTRAPS at run time.</summary>
    public IReadOnlyList<string> Bootstraps { get; init; } = [];

    /// <summary>How to build the image.</summary>
    public required DockerConf Docker { get; init; }

    /// <summary>The absolute directory that <see cref="CopyStep.Source"/> paths are relative to (checked to exist).</summary>
    public required string BuildDirectory { get; init; }

    /// <summary>Things accepted but not used (ProxyClientMode, unknown keys, bootstraps); worth showing to the user.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The image build steps of a service (DockerConf). Why a record: the build context is a pure function of it.</summary>
public sealed record DockerConf
{
    /// <summary>Base image reference; <see cref="ServiceConfig.DefaultBaseImage"/> when the file names none.</summary>
    public required string From { get; init; }

    /// <summary>Files and folders to copy from the build directory into the image, in order.</summary>
    public IReadOnlyList<CopyStep> Copy { get; init; } = [];

    /// <summary>Shell commands run at build time, in order.</summary>
    public IReadOnlyList<string> Run { get; init; } = [];

    /// <summary>The shell command that starts the service (may use $SERVICE_PORT and the other contract variables).</summary>
    public required string Cmd { get; init; }
}

/// <summary>One <c>[source, destination]</c> pair of DockerConf.Copy: why separate fields — the source is checked on disk, the destination is not.</summary>
/// <param name="Source">Path relative to the build directory ('/'-separated in the image's build context).</param>
/// <param name="Destination">Path in the image; relative paths are under the working directory /app.</param>
public sealed record CopyStep(string Source, string Destination);

/// <summary>The original's two config file layouts; why keep it: messages name the keys as the user wrote them.</summary>
public enum ServiceConfigShape
{
    /// <summary>The seed's image-conf.json: PerfConf.Perf.SoftReq/HardReq.RTT, PerfConf.Bootstraps, DockerConf.</summary>
    ImageConf,

    /// <summary>service-registry's service-conf.json: NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq, DockerConf.</summary>
    ServiceConf,
}
