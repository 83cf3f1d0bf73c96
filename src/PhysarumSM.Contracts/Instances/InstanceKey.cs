using System.Globalization;

namespace PhysarumSM.Contracts.Instances;

/// <summary>
/// The key of an <see cref="IInstanceGrain"/>: <c>{service}/{nodeId}/{ordinal}</c>. Why in the key: placement reads the
/// node from it to pin the grain to that node's silo, and the container's labels carry the same text.
/// </summary>
/// <param name="Service">The registered service name.</param>
/// <param name="NodeId">The peer ID of the node that runs the instance.</param>
/// <param name="Ordinal">Tells apart several instances of one service on one node (0, 1, ...).</param>
public readonly record struct InstanceKey(string Service, string NodeId, int Ordinal)
{
    /// <summary>The separator between the three parts (neither service names nor peer IDs contain it).</summary>
    public const char Separator = '/';

    /// <summary>The grain key text, e.g. <c>hello-world/12D3KooW.../0</c>.</summary>
    /// <exception cref="FormatException">A part is empty or contains <see cref="Separator"/>, or the ordinal is negative.</exception>
    public string Format()
    {
        if (Check(Service, NodeId, Ordinal) is { } error)
        {
            throw new FormatException(error);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Service}{Separator}{NodeId}{Separator}{Ordinal}");
    }

    /// <summary>Same as <see cref="Format"/>.</summary>
    public override string ToString() => Format();

    /// <summary>Reads a grain key written by <see cref="Format"/>.</summary>
    /// <exception cref="FormatException"><paramref name="key"/> is not <c>{service}/{nodeId}/{ordinal}</c>; the message quotes it.</exception>
    public static InstanceKey Parse(string key) =>
        TryParse(key, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Reads a grain key; false (with no exception) when it is not <c>{service}/{nodeId}/{ordinal}</c>.</summary>
    public static bool TryParse(string? key, out InstanceKey parsed) => TryParse(key, out parsed, out _);

    private static bool TryParse(string? key, out InstanceKey parsed, out string error)
    {
        parsed = default;
        var parts = (key ?? "").Split(Separator);
        if (parts.Length != 3)
        {
            error = $"instance key '{key}' is not '{{service}}/{{nodeId}}/{{ordinal}}'";
            return false;
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            error = $"instance key '{key}': the ordinal '{parts[2]}' is not a non-negative integer";
            return false;
        }

        if (Check(parts[0], parts[1], ordinal) is { } invalid)
        {
            error = $"instance key '{key}': {invalid}";
            return false;
        }

        parsed = new InstanceKey(parts[0], parts[1], ordinal);
        error = "";
        return true;
    }

    private static string? Check(string? service, string? nodeId, int ordinal) =>
        string.IsNullOrEmpty(service) || service.Contains(Separator, StringComparison.Ordinal) ? $"the service name '{service}' is empty or contains '{Separator}'"
        : string.IsNullOrEmpty(nodeId) || nodeId.Contains(Separator, StringComparison.Ordinal) ? $"the node id '{nodeId}' is empty or contains '{Separator}'"
        : ordinal < 0 ? $"the ordinal {ordinal} is negative"
        : null;
}
