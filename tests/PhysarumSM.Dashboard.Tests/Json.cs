using System.Text.Json;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>Reading the admin API's JSON in assertions: a missing property fails with its name.</summary>
internal static class Json
{
    public static JsonElement Get(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"no '{name}' in {element}");

    public static string Text(this JsonElement element, string name) => element.Get(name).GetString() ?? "";

    public static IEnumerable<JsonElement> Items(this JsonElement element, string name) => element.Get(name).EnumerateArray();
}
