using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhysarumSM.Node.Admin;

/// <summary>Source-generated JSON for the admin API: camelCase names, no reflection at run time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(NodesView))]
[JsonSerializable(typeof(ServicesView))]
[JsonSerializable(typeof(InstancesView))]
[JsonSerializable(typeof(RttView))]
[JsonSerializable(typeof(EventsView))]
[JsonSerializable(typeof(ActionView))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the API writes with: as <see cref="Default"/>, but quotes and non-ASCII text are written as they are
    /// (the body is JSON, never embedded in HTML), so messages stay readable with curl.
    /// </summary>
    public static AdminJsonContext Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
