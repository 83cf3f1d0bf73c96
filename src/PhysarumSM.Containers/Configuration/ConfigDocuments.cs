using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhysarumSM.Containers.Configuration;

// The two file shapes as System.Text.Json reads them. Every member is nullable so that "missing" can be told
// from "zero"; keys the original did not know land in Unknown and become notes, as Go's decoder ignored them.

/// <summary>The seed's image-conf.json: why a DTO — the loader turns it into <see cref="ServiceConfig"/> after checks.</summary>
internal sealed class ImageConfDocument
{
    public PerfConfDocument? PerfConf { get; set; }

    public DockerConfDocument? DockerConf { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>PerfConf of image-conf.json: the in-container proxy's requirements and bootstraps.</summary>
internal sealed class PerfConfDocument
{
    public PerfDocument? Perf { get; set; }

    public List<string?>? Bootstraps { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>PerfConf.Perf: soft and hard requirements.</summary>
internal sealed class PerfDocument
{
    public RequirementDocument? SoftReq { get; set; }

    public RequirementDocument? HardReq { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>A performance indicator ({"RTT": milliseconds}), as the original's PerfInd.</summary>
internal sealed class RequirementDocument
{
    [JsonPropertyName("RTT")]
    public int? Rtt { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>service-registry's service-conf.json.</summary>
internal sealed class ServiceConfDocument
{
    public RequirementDocument? NetworkSoftReq { get; set; }

    public RequirementDocument? NetworkHardReq { get; set; }

    public double? CpuReq { get; set; }

    public long? MemoryReq { get; set; }

    public DockerConfDocument? DockerConf { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>DockerConf, the same in both shapes.</summary>
internal sealed class DockerConfDocument
{
    public string? From { get; set; }

    public List<CopyPairDocument?>? Copy { get; set; }

    public List<string?>? Run { get; set; }

    public string? Cmd { get; set; }

    public bool? ProxyClientMode { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>A Copy entry: exactly two strings, [source, destination] (the original's [2]string).</summary>
[JsonConverter(typeof(CopyPairConverter))]
internal sealed record CopyPairDocument(string Source, string Destination);

/// <summary>Reads [source, destination]; why a converter: a wrong pair then fails with the reader's line and column.</summary>
internal sealed class CopyPairConverter : JsonConverter<CopyPairDocument>
{
    public override CopyPairDocument Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException();
        }

        var items = new List<string>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || items.Count == 2)
            {
                throw new JsonException();
            }

            items.Add(reader.GetString()!);
        }

        if (items.Count != 2)
        {
            throw new JsonException();
        }

        return new CopyPairDocument(items[0], items[1]);
    }

    public override void Write(Utf8JsonWriter writer, CopyPairDocument value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Source);
        writer.WriteStringValue(value.Destination);
        writer.WriteEndArray();
    }
}

/// <summary>Source-generated readers; case-insensitive like Go's encoding/json, lenient about trailing commas and comments (the seed's example has one).</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ImageConfDocument))]
[JsonSerializable(typeof(ServiceConfDocument))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
