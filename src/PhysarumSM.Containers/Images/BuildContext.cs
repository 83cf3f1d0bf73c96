using System.Formats.Tar;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PhysarumSM.Containers.Configuration;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// The Docker build context of a service: a generated Dockerfile plus the Copy sources, written as a tar stream.
/// Why generated: users write DockerConf (the original's contract), and every image gets the same working
/// directory, environment defaults and shell-form start command without the user writing a Dockerfile.
/// </summary>
public sealed class BuildContext
{
    /// <summary>The Dockerfile's name inside the context; unusual so that it does not collide with a user's own Dockerfile.</summary>
    public const string DockerfileName = "physarum.Dockerfile";

    /// <summary>The image's working directory; relative Copy destinations land here.</summary>
    public const string WorkingDirectory = "/app";

    /// <summary>The container contract's variables and their defaults; the node overrides them when it starts an instance.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> EnvironmentDefaults =
    [
        new("SERVICE_PORT", "8080"),
        new("PROXY_IP", "127.0.0.1"),
        new("PROXY_PORT", "4200"),
        new("METRICS_PORT", "9101"),
        new("P2P_BOOTSTRAPS", ""),
        new("P2P_PSK", ""),
    ];

    // Relaxed escaping keeps '&', '<', '+' and non-ASCII readable; quotes, backslashes and control characters are still escaped.
    private static readonly BuildContextJson Json = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private readonly ServiceConfig _config;

    /// <summary>The context for <paramref name="config"/>; its Copy sources are read from <see cref="ServiceConfig.BuildDirectory"/> when written.</summary>
    public BuildContext(ServiceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        Dockerfile = RenderDockerfile(config.Docker);
    }

    /// <summary>The generated Dockerfile text.</summary>
    public string Dockerfile { get; }

    /// <summary>Writes the context as a tar archive to <paramref name="destination"/> (streamed file by file, never held whole in memory).</summary>
    /// <exception cref="IOException">A Copy source vanished or cannot be read since the config was loaded.</exception>
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var dockerfile = new PaxTarEntry(TarEntryType.RegularFile, DockerfileName)
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(Dockerfile)),
            };
            await writer.WriteEntryAsync(dockerfile, cancellationToken).ConfigureAwait(false);

            // A source named twice (or inside another) is sent once: the tar must not hold duplicate names.
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in _config.Docker.Copy)
            {
                await AddAsync(writer, step.Source, written, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AddAsync(TarWriter writer, string entryName, HashSet<string> written, CancellationToken cancellationToken)
    {
        var path = entryName == "." ? _config.BuildDirectory : Path.Combine(_config.BuildDirectory, entryName);
        var info = new FileInfo(path);
        var isDirectory = info.Attributes.HasFlag(FileAttributes.Directory) && info.LinkTarget is null;
        if (entryName != "." && written.Add(entryName))
        {
            // TarWriter keeps mode (the executable bit matters), owner, time, and writes symlinks as links.
            await writer.WriteEntryAsync(path, entryName, cancellationToken).ConfigureAwait(false);
        }

        if (!isDirectory)
        {
            return;
        }

        foreach (var child in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
        {
            var childName = entryName == "." ? Path.GetFileName(child) : $"{entryName}/{Path.GetFileName(child)}";
            await AddAsync(writer, childName, written, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string RenderDockerfile(DockerConf docker)
    {
        // JSON (exec) forms throughout: paths and commands may hold spaces, quotes or newlines.
        var text = new StringBuilder();
        text.Append("FROM ").Append(docker.From).Append('\n');
        text.Append("WORKDIR ").Append(WorkingDirectory).Append('\n');
        text.Append("ENV");
        foreach (var (name, value) in EnvironmentDefaults)
        {
            // The defaults are plain words; only the empty ones need quotes.
            text.Append(' ').Append(name).Append('=').Append(value.Length == 0 ? "\"\"" : value);
        }

        text.Append('\n');
        foreach (var step in docker.Copy)
        {
            text.Append("COPY ").Append(JsonArray(step.Source, step.Destination)).Append('\n');
        }

        foreach (var command in docker.Run)
        {
            text.Append("RUN ").Append(JsonArray("/bin/sh", "-c", command)).Append('\n');
        }

        text.Append("CMD ").Append(JsonArray("/bin/sh", "-c", docker.Cmd)).Append('\n');
        return text.ToString();
    }

    private static string JsonArray(params string[] items) => JsonSerializer.Serialize(items, Json.StringArray);
}
