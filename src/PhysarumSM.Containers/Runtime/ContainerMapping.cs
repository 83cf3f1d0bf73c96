using System.Globalization;
using System.Text;
using Docker.DotNet.Models;

namespace PhysarumSM.Containers.Runtime;

/// <summary>Turns the engine's list and inspect answers into this namespace's records; why apart: pure, so the runtime reads as a sequence of engine calls.</summary>
internal static class ContainerMapping
{
    private const int MaxNameStem = 100;

    /// <summary>A valid, unique container name for an instance: "physarum-{instance, sanitised}-{8 hex}" (labels, not the name, carry identity).</summary>
    public static string NameFor(string instanceId)
    {
        var stem = new StringBuilder("physarum-");
        foreach (var c in instanceId)
        {
            stem.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
            if (stem.Length >= MaxNameStem)
            {
                break;
            }
        }

        return $"{stem}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    public static ContainerRunState ParseState(string? state) => state?.ToLowerInvariant() switch
    {
        "created" => ContainerRunState.Created,
        "running" => ContainerRunState.Running,
        "paused" => ContainerRunState.Paused,
        "restarting" => ContainerRunState.Restarting,
        "removing" => ContainerRunState.Removing,
        "exited" => ContainerRunState.Exited,
        "dead" => ContainerRunState.Dead,
        _ => ContainerRunState.Unknown,
    };

    public static ContainerSummary ToSummary(ContainerListResponse listed)
    {
        var labels = CopyLabels(listed.Labels);
        var servicePort = ServicePortOf(labels, null);
        var published = (listed.Ports ?? [])
            .Where(port => port.PublicPort != 0 && string.Equals(port.Type, "tcp", StringComparison.OrdinalIgnoreCase))
            .Where(port => servicePort is null || port.PrivatePort == servicePort)
            .Select(port => (int?)port.PublicPort)
            .FirstOrDefault();
        return new ContainerSummary
        {
            Id = listed.ID,
            Name = (listed.Names?.FirstOrDefault() ?? listed.ID).TrimStart('/'),
            Image = listed.Image ?? "",
            State = ParseState(listed.State),
            Labels = labels,
            HostPort = published,
            Created = new DateTimeOffset(DateTime.SpecifyKind(listed.Created, DateTimeKind.Utc)),
        };
    }

    public static ContainerDetails ToDetails(ContainerInspectResponse inspected)
    {
        var labels = CopyLabels(inspected.Config?.Labels);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in inspected.Config?.Env ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                environment[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        var servicePort = ServicePortOf(labels, environment);
        int? hostPort = null;
        if (servicePort is { } port
            && inspected.NetworkSettings?.Ports is { } ports
            && ports.TryGetValue($"{port.ToString(CultureInfo.InvariantCulture)}/tcp", out var bindings)
            && bindings?.FirstOrDefault(binding => int.TryParse(binding.HostPort, CultureInfo.InvariantCulture, out _)) is { } binding)
        {
            hostPort = int.Parse(binding.HostPort, CultureInfo.InvariantCulture);
        }

        var state = inspected.State;
        var host = inspected.HostConfig;
        return new ContainerDetails
        {
            Id = inspected.ID,
            Name = (inspected.Name ?? inspected.ID).TrimStart('/'),
            Image = inspected.Config?.Image ?? inspected.Image ?? "",
            State = ParseState(state?.Status),
            Labels = labels,
            HostPort = hostPort,
            Created = new DateTimeOffset(DateTime.SpecifyKind(inspected.Created, DateTimeKind.Utc)),
            ExitCode = state?.ExitCode ?? 0,
            Error = state?.Error ?? "",
            OomKilled = state?.OOMKilled ?? false,
            StartedAt = ParseTime(state?.StartedAt),
            FinishedAt = ParseTime(state?.FinishedAt),
            Environment = environment,
            ServicePort = servicePort,
            NetworkAddress = NetworkAddressOf(inspected.NetworkSettings),
            CpuCores = (host?.NanoCPUs ?? 0) / 1e9,
            MemoryMiB = (host?.Memory ?? 0) / (1024 * 1024),
            Init = host?.Init ?? false,
            RestartPolicy = host?.RestartPolicy is { } policy ? RestartPolicyName(policy.Name) : "",
        };
    }

    // The first IPv4 address among the networks the container joined (the runtime attaches exactly one).
    private static string? NetworkAddressOf(NetworkSettings? settings) =>
        settings?.Networks?.Values
            .Select(network => network?.IPAddress)
            .Append(settings.IPAddress)
            .FirstOrDefault(address => System.Net.IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    private static string RestartPolicyName(RestartPolicyKind kind) => kind switch
    {
        RestartPolicyKind.No => "no",
        RestartPolicyKind.Always => "always",
        RestartPolicyKind.OnFailure => "on-failure",
        RestartPolicyKind.UnlessStopped => "unless-stopped",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static Dictionary<string, string> CopyLabels(IDictionary<string, string>? labels) =>
        labels is null ? new(StringComparer.Ordinal) : new(labels, StringComparer.Ordinal);

    private static int? ServicePortOf(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string>? environment)
    {
        var text = labels.GetValueOrDefault(ContainerLabels.ServicePort) ?? environment?.GetValueOrDefault(ServiceEnvironment.ServicePort);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;
    }

    // The engine writes "0001-01-01T00:00:00Z" for "never".
    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1 ? time : null;
}
