using System.Text;
using System.Text.Json;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// The registry logins <c>docker login</c> saved in Docker's client config (<c>config.json</c> in <c>$DOCKER_CONFIG</c>,
/// else <c>~/.docker</c>), read fresh on every lookup. Why Docker's file and not our own flags: the original's users
/// logged in with <c>docker login</c> before pushing, and one login then serves the CLI's push and the node's pulls,
/// with the password never on a command line.
/// </summary>
/// <remarks>
/// Only the file's <c>auths</c> are read. A registry whose login lives in a credential helper (<c>credsStore</c>,
/// <c>credHelpers</c>) gets an error that says so rather than an anonymous attempt the registry would refuse.
/// </remarks>
public sealed class RegistryLogins
{
    /// <summary>Reads <paramref name="directory"/>/config.json; null = <c>$DOCKER_CONFIG</c>, else <c>~/.docker</c>.</summary>
    public RegistryLogins(string? directory = null)
    {
        directory ??= Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        ConfigPath = Path.GetFullPath(Path.Combine(directory, "config.json"));
    }

    /// <summary>The file the logins are read from (it need not exist: then there are none).</summary>
    public string ConfigPath { get; }

    /// <summary>The saved login for <paramref name="registry"/> (host[:port], as <see cref="ImageReference.Registry"/> gives it), or null.</summary>
    /// <exception cref="RegistryLoginException">The file is unreadable or malformed, or holds the login only in a credential helper.</exception>
    public RegistryCredentials? Find(string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        JsonDocument document;
        try
        {
            if (!File.Exists(ConfigPath))
            {
                return null;
            }

            document = JsonDocument.Parse(File.ReadAllBytes(ConfigPath), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new RegistryLoginException($"cannot read the registry logins in {ConfigPath}: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryLoginException($"{ConfigPath} is not a JSON object, so it holds no registry logins; fix or remove it");
            }

            if (document.RootElement.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (string.Equals(Host(entry.Name), Host(registry), StringComparison.OrdinalIgnoreCase))
                    {
                        if (Read(entry.Value, registry) is { } credentials)
                        {
                            return credentials;
                        }
                    }
                }
            }

            if (HelperFor(document.RootElement, registry) is { } helper)
            {
                throw new RegistryLoginException(
                    $"{ConfigPath} keeps the login for {registry} in the credential helper '{helper}', which PhysarumSM does not run; " +
                    $"log in with a config that stores it in the file (DOCKER_CONFIG=DIR docker login {registry}, with no credsStore in DIR/config.json) and point the node or CLI at DIR");
            }

            return null;
        }
    }

    /// <summary>One <c>auths</c> entry: <c>auth</c> (base64 of user:password), or <c>username</c>/<c>password</c>, or an <c>identitytoken</c>.</summary>
    private RegistryCredentials? Read(JsonElement entry, string registry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var token = String(entry, "identitytoken");
        if (String(entry, "auth") is { Length: > 0 } auth)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException ex)
            {
                throw new RegistryLoginException($"the login for {registry} in {ConfigPath} has an 'auth' that is not base64 of user:password; run docker login {registry} again", ex);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new RegistryLoginException($"the login for {registry} in {ConfigPath} has an 'auth' that is not user:password; run docker login {registry} again");
            }

            return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..], registry) { IdentityToken = token };
        }

        if (String(entry, "username") is { Length: > 0 } user)
        {
            return new RegistryCredentials(user, String(entry, "password") ?? "", registry) { IdentityToken = token };
        }

        return token is { Length: > 0 } ? new RegistryCredentials("", "", registry) { IdentityToken = token } : null;
    }

    private static string? HelperFor(JsonElement root, string registry)
    {
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
        {
            foreach (var helper in helpers.EnumerateObject())
            {
                if (string.Equals(Host(helper.Name), Host(registry), StringComparison.OrdinalIgnoreCase) && helper.Value.ValueKind == JsonValueKind.String)
                {
                    return helper.Value.GetString();
                }
            }
        }

        return String(root, "credsStore") is { Length: > 0 } store ? store : null;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The host[:port] a key names: <c>docker login</c> writes bare hosts, older clients full URLs. The public default
    /// registry needs no mapping: the mesh never pulls from it (<see cref="ImageReference.Registry"/> is null for its names).
    /// </summary>
    private static string Host(string key)
    {
        var rest = key;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? rest[..slash] : rest;
    }
}

/// <summary>The saved registry logins cannot be used; the message names the file and what to do.</summary>
public sealed class RegistryLoginException(string message, Exception? inner = null) : Exception(message, inner);
