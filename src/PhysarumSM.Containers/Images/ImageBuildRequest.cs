using PhysarumSM.Containers.Configuration;

namespace PhysarumSM.Containers.Images;

/// <summary>What to build and what to do with it; why a record: the CLI fills it from its arguments and flags in one place.</summary>
public sealed record ImageBuildRequest
{
    /// <summary>The loaded config (its BuildDirectory holds the Copy sources).</summary>
    public required ServiceConfig Config { get; init; }

    /// <summary>Image name to tag the build with, e.g. <c>hello-world-server:1.0</c> or <c>registry:5000/user/hello:1.0</c>.</summary>
    public required string Tag { get; init; }

    /// <summary>Push the tag to its registry after the build (the CLI's <c>--push</c>); DockerHash is then repo@digest.</summary>
    public bool Push { get; init; }

    /// <summary>Credentials for the push; null = anonymous.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>ContentHash to record instead of hashing the saved image (the CLI's <c>--content-id</c>).</summary>
    public string? ContentId { get; init; }

    /// <summary>Build every step anew instead of reusing the engine's cache.</summary>
    public bool NoCache { get; init; }
}

/// <summary>A registry login for pushes and pulls. Why not Docker.DotNet's AuthConfig: callers need not reference the client library, and the password stays out of ToString.</summary>
/// <param name="Username">Registry user.</param>
/// <param name="Password">Password or access token.</param>
/// <param name="ServerAddress">Registry host; null = the one the image name implies.</param>
public sealed record RegistryCredentials(string Username, string Password, string? ServerAddress = null)
{
    /// <summary>A token the registry issued at login (Docker's <c>identitytoken</c>), sent instead of the password; null when none.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>Shows the user and server only.</summary>
    public override string ToString() => $"{Username}@{ServerAddress ?? "(image's registry)"}";
}

/// <summary>The outcome of a build: what the registry entry needs (ContentHash, DockerHash). Why both ids: the image id names it locally, DockerHash is what other machines run.</summary>
public sealed record BuiltImage
{
    /// <summary>The tag it was built as.</summary>
    public required string Tag { get; init; }

    /// <summary>The engine's image id (sha256:…).</summary>
    public required string ImageId { get; init; }

    /// <summary>sha256:… of the saved image, or the given content id.</summary>
    public required string ContentHash { get; init; }

    /// <summary>repo@digest after a push, else the local image id.</summary>
    public required string DockerHash { get; init; }

    /// <summary>True when the image was pushed.</summary>
    public bool Pushed { get; init; }
}
