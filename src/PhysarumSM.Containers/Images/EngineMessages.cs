using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// Receives the engine's JSON message stream of a build or push: forwards readable lines to the caller and keeps
/// the first error and the pushed digest. Why synchronous: <see cref="Progress{T}"/> posts to the thread pool,
/// so an error could arrive after the call returned and be missed.
/// </summary>
internal sealed class EngineMessages(IProgress<string>? lines) : IProgress<JSONMessage>
{
    /// <summary>The first error the engine reported in the stream, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>The digest the engine reported for a push (aux "Digest"), if any.</summary>
    public string? Digest { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message is { Length: > 0 } detailed ? detailed : value.ErrorMessage;
        if (!string.IsNullOrEmpty(error))
        {
            Error ??= error.Trim();
            lines?.Report(error.Trim());
        }

        if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("Digest", out var digest) && digest is not null)
        {
            Digest = digest.ToString();
        }

        if (!string.IsNullOrEmpty(value.Stream))
        {
            foreach (var line in value.Stream.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                lines?.Report(line);
            }
        }

        if (!string.IsNullOrEmpty(value.Status))
        {
            var id = string.IsNullOrEmpty(value.ID) ? "" : value.ID + ": ";
            var progress = string.IsNullOrEmpty(value.ProgressMessage) ? "" : " " + value.ProgressMessage;
            lines?.Report(id + value.Status + progress);
        }
    }

    /// <summary>The engine's message from an API error body ({"message": "..."}), else the body itself.</summary>
    public static string Describe(DockerApiException ex)
    {
        try
        {
            using var body = JsonDocument.Parse(ex.ResponseBody ?? "");
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
            // not JSON: show it as it is
        }

        return string.IsNullOrWhiteSpace(ex.ResponseBody) ? $"HTTP {(int)ex.StatusCode}" : ex.ResponseBody.Trim();
    }
}
