namespace PhysarumSM.Samples.IntegratorClient;

/// <summary>What the sample does, from configuration section <see cref="SectionName"/> (or the flags mapped onto it).</summary>
internal sealed class SampleSettings
{
    public const string SectionName = "Sample";

    /// <summary>The service to resolve and call with GET; none: only list the mesh and watch events.</summary>
    public string? Service { get; set; }

    /// <summary>The path (and query) to GET on the service.</summary>
    public string Path { get; set; } = "/";

    /// <summary>How long to print the event feed, in seconds; 0 skips it.</summary>
    public int WatchSeconds { get; set; } = 10;

    /// <summary>How long to wait for an Orleans gateway to answer at start, in seconds (Orleans alone keeps retrying for minutes).</summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;
}
