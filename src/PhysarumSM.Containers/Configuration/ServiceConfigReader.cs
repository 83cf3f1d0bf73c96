using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using static System.FormattableString;

namespace PhysarumSM.Containers.Configuration;

/// <summary>
/// Turns one parsed shape into a <see cref="ServiceConfig"/>, collecting every problem before failing. Why collect:
/// fixing a config one error per run is slow; the user gets the whole list with what to do for each.
/// </summary>
internal sealed partial class ServiceConfigReader(ReadOnlyMemory<byte> json, string buildDirectory, string sourceName)
{
    // Longer than any round trip on Earth; a bigger number is almost surely a Go duration in nanoseconds.
    private const int MaxRttMs = 600_000;

    private readonly List<string> _problems = [];
    private readonly List<string> _notes = [];

    public ServiceConfig ReadImageConf()
    {
        var document = Deserialize(ConfigJsonContext.Default.ImageConfDocument);
        var perf = document.PerfConf?.Perf;
        NoteUnknown(document.Unknown, "", "PerfConf, DockerConf");
        NoteUnknown(document.PerfConf?.Unknown, "PerfConf.", "Perf, Bootstraps");
        NoteUnknown(perf?.Unknown, "PerfConf.Perf.", "SoftReq, HardReq");
        NoteUnknown(perf?.SoftReq?.Unknown, "PerfConf.Perf.SoftReq.", "RTT");
        NoteUnknown(perf?.HardReq?.Unknown, "PerfConf.Perf.HardReq.", "RTT");

        var (soft, hard) = Requirements(perf?.SoftReq, "PerfConf.Perf.SoftReq.RTT", perf?.HardReq, "PerfConf.Perf.HardReq.RTT");
        var bootstraps = Bootstraps(document.PerfConf?.Bootstraps);
        var docker = Docker(document.DockerConf);
        return Finish(new ServiceConfig
        {
            Shape = ServiceConfigShape.ImageConf,
            SoftRttMs = soft,
            HardRttMs = hard,
            Bootstraps = bootstraps,
            Docker = docker!,
            BuildDirectory = buildDirectory,
        });
    }

    public ServiceConfig ReadServiceConf()
    {
        var document = Deserialize(ConfigJsonContext.Default.ServiceConfDocument);
        NoteUnknown(document.Unknown, "", "NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq, DockerConf");
        NoteUnknown(document.NetworkSoftReq?.Unknown, "NetworkSoftReq.", "RTT");
        NoteUnknown(document.NetworkHardReq?.Unknown, "NetworkHardReq.", "RTT");

        var (soft, hard) = Requirements(document.NetworkSoftReq, "NetworkSoftReq.RTT", document.NetworkHardReq, "NetworkHardReq.RTT");
        var cpu = document.CpuReq ?? 0;
        if (cpu < 0)
        {
            Problem(Invariant($"CpuReq is {cpu}; it must be 0 (no limit) or a positive number of CPU cores"));
        }

        var memory = document.MemoryReq ?? 0;
        if (memory < 0)
        {
            Problem(Invariant($"MemoryReq is {memory}; it must be 0 (no limit) or a positive number of MiB"));
        }

        var docker = Docker(document.DockerConf);
        return Finish(new ServiceConfig
        {
            Shape = ServiceConfigShape.ServiceConf,
            SoftRttMs = soft,
            HardRttMs = hard,
            CpuReq = cpu,
            MemoryReq = memory,
            Docker = docker!,
            BuildDirectory = buildDirectory,
        });
    }

    private T Deserialize<T>(JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(json.Span, typeInfo)!;
        }
        catch (JsonException ex)
        {
            var path = DisplayPath(ex.Path);
            throw new ServiceConfigException(
                $"{sourceName}: {JsonLocation.DescribeValue(json.Span, ex)}: {path} {Expectation(ex.Path)}", ex);
        }
    }

    private (int Soft, int Hard) Requirements(RequirementDocument? softReq, string softName, RequirementDocument? hardReq, string hardName)
    {
        var soft = Rtt(softReq, softName);
        var hard = Rtt(hardReq, hardName);
        if (soft is { } s && hard is { } h && h > 0 && s > h)
        {
            Problem(Invariant($"{softName} ({s} ms) is above {hardName} ({h} ms); the soft requirement must be the stricter (smaller) one: lower it or raise the hard one"));
        }

        return (soft ?? 0, hard ?? 0);
    }

    // Null when the value is unusable (already reported), so the order check does not pile on.
    private int? Rtt(RequirementDocument? requirement, string name)
    {
        var value = requirement?.Rtt ?? 0;
        if (value < 0)
        {
            Problem(Invariant($"{name} is {value}; it must be 0 (no requirement) or a positive number of milliseconds"));
            return null;
        }

        if (value > MaxRttMs)
        {
            Problem(Invariant($"{name} is {value} ms, over 10 minutes; RTT is in milliseconds (a Go duration in nanoseconds must be divided by 1000000)"));
            return null;
        }

        return value;
    }

    private List<string> Bootstraps(List<string?>? bootstraps)
    {
        var result = new List<string>();
        for (var i = 0; i < (bootstraps?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(bootstraps![i]))
            {
                Problem(Invariant($"PerfConf.Bootstraps[{i}] is empty; remove it or give a bootstrap multiaddr"));
                continue;
            }

            result.Add(bootstraps[i]!.Trim());
        }

        if (result.Count > 0)
        {
            Note("PerfConf.Bootstraps is not built into the image: the node passes its own bootstraps to each container in P2P_BOOTSTRAPS");
        }

        return result;
    }

    private DockerConf? Docker(DockerConfDocument? document)
    {
        if (document is null)
        {
            Problem("DockerConf is missing; add it with Copy (the files to put in the image) and Cmd (the command that starts the service)");
            return null;
        }

        NoteUnknown(document.Unknown, "DockerConf.", "From, Copy, Run, Cmd, ProxyClientMode");
        if (document.ProxyClientMode is not null)
        {
            Note("DockerConf.ProxyClientMode is ignored: the node's gateway (PROXY_IP:PROXY_PORT) replaces the original's in-container proxy");
        }

        var from = string.IsNullOrWhiteSpace(document.From) ? ServiceConfig.DefaultBaseImage : document.From.Trim();
        if (from.Any(char.IsWhiteSpace))
        {
            Problem($"DockerConf.From '{from}' is not an image reference; give one such as {ServiceConfig.DefaultBaseImage}, or leave it out to use that");
        }

        var copy = new List<CopyStep>();
        for (var i = 0; i < (document.Copy?.Count ?? 0); i++)
        {
            if (CopyStep(i, document.Copy![i]) is { } step)
            {
                copy.Add(step);
            }
        }

        var run = new List<string>();
        for (var i = 0; i < (document.Run?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(document.Run![i]))
            {
                Problem(Invariant($"DockerConf.Run[{i}] is empty; remove it or give a shell command"));
                continue;
            }

            run.Add(document.Run[i]!);
        }

        if (string.IsNullOrWhiteSpace(document.Cmd))
        {
            Problem("DockerConf.Cmd is missing; set it to the shell command that starts the service, e.g. \"./server $SERVICE_PORT\"");
        }

        return new DockerConf { From = from, Copy = copy, Run = run, Cmd = document.Cmd?.Trim() ?? "" };
    }

    private CopyStep? CopyStep(int index, CopyPairDocument? pair)
    {
        var name = Invariant($"DockerConf.Copy[{index}]");
        if (pair is null)
        {
            Problem($"{name} must be a [source, destination] pair of strings");
            return null;
        }

        if (string.IsNullOrWhiteSpace(pair.Source))
        {
            Problem($"{name} has an empty source; name a file or folder in the build directory {buildDirectory}");
            return null;
        }

        if (string.IsNullOrWhiteSpace(pair.Destination))
        {
            Problem($"{name} has an empty destination; use \".\" for the working directory /app");
            return null;
        }

        if (Path.IsPathRooted(pair.Source))
        {
            Problem($"{name} source '{pair.Source}' is an absolute path; sources are relative to the build directory {buildDirectory}");
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(buildDirectory, pair.Source));
        var relative = Path.GetRelativePath(buildDirectory, full);
        if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            Problem($"{name} source '{pair.Source}' is outside the build directory {buildDirectory}; copy it into the build directory first");
            return null;
        }

        if (!File.Exists(full) && !Directory.Exists(full))
        {
            Problem($"{name} source '{pair.Source}' does not exist in the build directory {buildDirectory}; build or copy it there first, or fix the path");
            return null;
        }

        return new CopyStep(relative.Replace(Path.DirectorySeparatorChar, '/').TrimEnd('/'), pair.Destination);
    }

    private ServiceConfig Finish(ServiceConfig config)
    {
        if (_problems.Count > 0)
        {
            throw new ServiceConfigException(_problems);
        }

        return config with { Notes = _notes };
    }

    private void NoteUnknown(Dictionary<string, JsonElement>? unknown, string prefix, string known)
    {
        foreach (var key in unknown?.Keys ?? Enumerable.Empty<string>())
        {
            Note($"unknown key {prefix}{key} is ignored (known keys there: {known})");
        }
    }

    private void Problem(string text) => _problems.Add($"{sourceName}: {text}");

    private void Note(string text) => _notes.Add($"{sourceName}: {text}");

    private static string DisplayPath(string? path) => path is null or "$" ? "the top level" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    // What the value at a path should have been; keyed by the last key name, case-insensitively like the reader.
    private static string Expectation(string? path)
    {
        var match = path is null ? null : LastSegment().Match(path);
        var key = match is { Success: true } ? match.Groups["name"].Value.ToUpperInvariant() : "";
        var element = match is { Success: true } && match.Groups["index"].Success;
        return (key, element) switch
        {
            ("RTT", _) => "must be a whole number of milliseconds",
            ("CPUREQ", _) => "must be a number of CPU cores, e.g. 0.5",
            ("MEMORYREQ", _) => "must be a whole number of MiB",
            ("FROM", _) => "must be a string naming the base image",
            ("CMD", _) => "must be a string: the shell command that starts the service",
            ("COPY", true) => "must be a [source, destination] pair of strings",
            ("COPY", false) => "must be a list of [source, destination] pairs",
            ("RUN", true) => "must be a string: a shell command",
            ("RUN", false) => "must be a list of shell commands",
            ("BOOTSTRAPS", true) => "must be a string: a bootstrap multiaddr",
            ("BOOTSTRAPS", false) => "must be a list of bootstrap multiaddrs",
            ("PROXYCLIENTMODE", _) => "must be true or false",
            ("PERFCONF" or "PERF" or "SOFTREQ" or "HARDREQ" or "NETWORKSOFTREQ" or "NETWORKHARDREQ" or "DOCKERCONF", _) => "must be an object",
            _ => "has a value of the wrong type",
        };
    }

    [GeneratedRegex(@"(?<name>[A-Za-z]+)'?\]?(?<index>\[\d+\])?$")]
    private static partial Regex LastSegment();
}
