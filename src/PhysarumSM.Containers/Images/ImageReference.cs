namespace PhysarumSM.Containers.Images;

/// <summary>Splits image references; why: DockerHash is the repository (without tag) joined to the pushed digest.</summary>
public static class ImageReference
{
    /// <summary>The repository part of <paramref name="reference"/>: <c>host:5000/user/app:1.0</c> → <c>host:5000/user/app</c>.</summary>
    public static string Repository(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? reference[..at] : reference;
        // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    /// <summary>True when <paramref name="reference"/> has no whitespace or control characters (the engine checks the rest).</summary>
    public static bool LooksValid(string? reference) =>
        !string.IsNullOrEmpty(reference) && !reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
