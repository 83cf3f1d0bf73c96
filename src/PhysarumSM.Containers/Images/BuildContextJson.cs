using System.Text.Json.Serialization;

namespace PhysarumSM.Containers.Images;

/// <summary>Source-generated JSON for the Dockerfile's exec forms (COPY, RUN, CMD arrays).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class BuildContextJson : JsonSerializerContext;
