using System.Text.Json;

namespace PhysarumSM.Containers.Configuration;

/// <summary>
/// Reads a service config in either of the original's shapes (the seed's image-conf.json or service-registry's
/// service-conf.json) and checks it against the build directory. Why strict here: a bad config found after a
/// minute of image building, or after registration, costs far more than a precise message now.
/// </summary>
public static class ServiceConfigLoader
{
    private static readonly JsonDocumentOptions SyntaxOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads and checks the config file at <paramref name="configPath"/>; Copy sources are looked up in <paramref name="buildDirectory"/>.</summary>
    /// <exception cref="ServiceConfigException">The file is missing, malformed or not a valid config; the message says where and what to do.</exception>
    public static async Task<ServiceConfig> LoadAsync(string configPath, string buildDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(configPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ServiceConfigException($"{configPath}: no such file; give the path of an image-conf.json or service-conf.json", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ServiceConfigException($"{configPath}: cannot be read ({ex.Message}); check the path and its permissions", ex);
        }

        return Parse(bytes, buildDirectory, configPath);
    }

    /// <summary>Checks config text; <paramref name="sourceName"/> starts every message (usually the file's path).</summary>
    /// <exception cref="ServiceConfigException">The text is malformed or not a valid config.</exception>
    public static ServiceConfig Parse(string json, string buildDirectory, string sourceName = "service config")
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), buildDirectory, sourceName);
    }

    /// <summary>Checks UTF-8 config bytes; <paramref name="sourceName"/> starts every message (usually the file's path).</summary>
    /// <exception cref="ServiceConfigException">The bytes are malformed or not a valid config.</exception>
    public static ServiceConfig Parse(ReadOnlyMemory<byte> json, string buildDirectory, string sourceName = "service config")
    {
        ArgumentException.ThrowIfNullOrEmpty(buildDirectory);
        ArgumentNullException.ThrowIfNull(sourceName);
        var directory = Path.GetFullPath(buildDirectory);
        if (!Directory.Exists(directory))
        {
            throw new ServiceConfigException(
                $"{sourceName}: the build directory {directory} does not exist; give the directory that holds the files DockerConf.Copy names");
        }

        // A UTF-8 byte order mark is legal in a file but not in JSON text.
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        var shape = DetectShape(json, sourceName);
        var reader = new ServiceConfigReader(json, directory, sourceName);
        return shape == ServiceConfigShape.ImageConf ? reader.ReadImageConf() : reader.ReadServiceConf();
    }

    private static ServiceConfigShape DetectShape(ReadOnlyMemory<byte> json, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, SyntaxOptions);
        }
        catch (JsonException ex)
        {
            throw new ServiceConfigException(
                $"{sourceName}: malformed JSON at {JsonLocation.Describe(json.Span, ex)}: {JsonLocation.Reason(ex)}; fix the JSON there (a missing comma, quote or bracket is the usual cause)",
                ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ServiceConfigException(
                    $"{sourceName}: not a service config: the top level is {JsonLocation.KindName(root.ValueKind)}; it must be an object holding DockerConf and either PerfConf (image-conf.json) or NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq (service-conf.json)");
            }

            var keys = root.EnumerateObject().Select(p => p.Name).ToList();
            bool Has(string key) => keys.Contains(key, StringComparer.OrdinalIgnoreCase);
            var imageKeys = Has("PerfConf");
            string[] serviceKeyNames = ["NetworkSoftReq", "NetworkHardReq", "CpuReq", "MemoryReq"];
            var serviceKeys = serviceKeyNames.Where(Has).ToList();
            if (imageKeys && serviceKeys.Count > 0)
            {
                throw new ServiceConfigException(
                    $"{sourceName}: mixes the image-conf.json shape (PerfConf) with the service-conf.json shape ({string.Join(", ", serviceKeys)}); use one of them");
            }

            if (!imageKeys && serviceKeys.Count == 0 && !Has("DockerConf"))
            {
                var found = keys.Count == 0 ? "an empty object" : "keys " + string.Join(", ", keys);
                throw new ServiceConfigException(
                    $"{sourceName}: not a service config: found {found}; expected the image-conf.json shape (PerfConf, DockerConf) or the service-conf.json shape (NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq, DockerConf)");
            }

            return serviceKeys.Count > 0 ? ServiceConfigShape.ServiceConf : ServiceConfigShape.ImageConf;
        }
    }
}
