namespace PhysarumSM.Containers.Images;

/// <summary>Splits image references; why: DockerHash is the repository (without tag) joined to the pushed digest.</summary>
public static class ImageReference
{
    private const string DigestAlgorithm = "sha256:";
    private const string DefaultTag = "latest";

    /// <summary>The repository part of <paramref name="reference"/>: <c>host:5000/user/app:1.0</c> → <c>host:5000/user/app</c>.</summary>
    public static string Repository(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var name = NamePart(reference);
        // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    /// <summary>
    /// The registry host (with its port) <paramref name="reference"/> names, e.g. <c>127.0.0.1:5000</c> for
    /// <c>127.0.0.1:5000/hello@sha256:…</c>; null for a local-only reference. Why null for <c>user/app:1.0</c>: the
    /// engine would read it as the public default registry, which the mesh's machines neither use nor reach, so such
    /// references (and image ids) only ever name images already in the engine.
    /// </summary>
    public static string? Registry(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (IsImageId(reference))
        {
            return null;
        }

        var name = NamePart(reference);
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        // The engine's own rule: the first path component is a registry host when it has a '.' or a port, or is localhost.
        var first = name[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
            || string.Equals(first, "localhost", StringComparison.Ordinal)
            ? first
            : null;
    }

    /// <summary>
    /// What the engine's pull needs: the repository and the digest when <paramref name="reference"/> has one (so exactly
    /// the registered bytes are fetched, whatever its tag says), else its tag, else <c>latest</c>. Why never empty: an
    /// empty tag would make the engine pull every tag of the repository.
    /// </summary>
    public static (string Repository, string TagOrDigest) PullTarget(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        var repository = Repository(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (repository, reference[(at + 1)..]);
        }

        return reference.Length > repository.Length + 1 ? (repository, reference[(repository.Length + 1)..]) : (repository, DefaultTag);
    }

    /// <summary>True when <paramref name="reference"/> has no whitespace or control characters (the engine checks the rest).</summary>
    public static bool LooksValid(string? reference) =>
        !string.IsNullOrEmpty(reference) && !reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    // An engine image id: "sha256:<hex>" or the bare 64 hex digits the engine also accepts.
    private static bool IsImageId(string reference) =>
        reference.StartsWith(DigestAlgorithm, StringComparison.Ordinal)
        || (reference.Length == 64 && reference.All(char.IsAsciiHexDigitLower));

    private static string NamePart(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        return at >= 0 ? reference[..at] : reference;
    }
}
