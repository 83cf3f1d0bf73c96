using Docker.DotNet.Models;

namespace PhysarumSM.Containers.Images;

/// <summary>What pushes and pulls share about registry logins: the engine's form of one, and the hint an auth refusal gets.</summary>
internal static class RegistryAuth
{
    /// <summary>The engine's auth header; an empty one for an anonymous request.</summary>
    public static AuthConfig ToAuthConfig(RegistryCredentials? credentials) => credentials is null
        ? new AuthConfig()
        : new AuthConfig
        {
            Username = credentials.Username,
            Password = credentials.Password,
            ServerAddress = credentials.ServerAddress,
            IdentityToken = credentials.IdentityToken,
        };

    /// <summary>
    /// <paramref name="why"/> plus what to do when the registry refused for want of a login (the engine's words for it vary
    /// by registry: "unauthorized", "authentication required", "no basic auth credentials", "denied").
    /// </summary>
    public static string Explain(string why, string registry, RegistryCredentials? sent, string configPath)
    {
        var refused = why.Contains("unauthorized", StringComparison.OrdinalIgnoreCase)
            || why.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
            || why.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase)
            || why.Contains("denied", StringComparison.OrdinalIgnoreCase);
        if (!refused)
        {
            return why;
        }

        return sent is null
            ? $"{why} (registry {registry} wants a login and {configPath} has none for it: run docker login {registry} as this user, or set DOCKER_CONFIG to a directory whose config.json has one)"
            : $"{why} (registry {registry} refused the login for user '{sent.Username}' from {configPath}: run docker login {registry} again)";
    }
}
