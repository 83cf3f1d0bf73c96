using Docker.DotNet;
using Docker.DotNet.Models;
using PhysarumSM.Containers.Engine;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// Pushes a tagged image to its registry and returns <c>repo@digest</c>. Why the digest and not the tag: other
/// machines then run exactly the bytes that were registered, even if the tag moves later.
/// </summary>
public sealed class ImagePusher
{
    private readonly IDockerClient _client;
    private readonly RegistryLogins _logins;

    /// <summary>Pushes through the engine behind <paramref name="client"/>, with the saved login for the tag's registry when no credentials are given.</summary>
    public ImagePusher(IDockerClient client, RegistryLogins? logins = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logins = logins ?? new RegistryLogins();
    }

    /// <summary>Pushes <paramref name="tag"/> to its registry.</summary>
    /// <param name="tag">The local image tag, naming its registry (<c>host:5000/app:1.0</c>).</param>
    /// <param name="credentials">The login to push with; null = the one <c>docker login</c> saved for the tag's registry, if any.</param>
    /// <param name="progress">Receives the engine's status lines.</param>
    /// <param name="cancellationToken">Stops waiting for the push.</param>
    /// <returns>The pushed image as <c>repository@sha256:…</c>.</returns>
    /// <exception cref="ImageBuildException">The push failed, or the saved logins are unusable; the message has the reason.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<string> PushAsync(string tag, RegistryCredentials? credentials = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var messages = new EngineMessages(progress);
        var repository = ImageReference.Repository(tag);
        var host = ImageReference.Registry(tag);
        var registry = host ?? "the default registry";
        try
        {
            credentials ??= host is null ? null : _logins.Find(host);
        }
        catch (RegistryLoginException ex)
        {
            throw new ImageBuildException($"pushing {tag} failed: {ex.Message}", ex);
        }

        try
        {
            await _client.Images.PushImageAsync(tag, new ImagePushParameters(), RegistryAuth.ToAuthConfig(credentials), messages, cancellationToken).ConfigureAwait(false);
            if (messages.Error is { } error)
            {
                throw new ImageBuildException($"pushing {tag} failed: {RegistryAuth.Explain(error, registry, credentials, _logins.ConfigPath)}");
            }

            if (messages.Digest is { Length: > 0 } digest)
            {
                return $"{repository}@{digest}";
            }

            // Older engines may not send the digest in the stream; the image then lists it among its repo digests.
            var image = await _client.Images.InspectImageAsync(tag, cancellationToken).ConfigureAwait(false);
            return image.RepoDigests?.FirstOrDefault(d => string.Equals(ImageReference.Repository(d), repository, StringComparison.Ordinal))
                ?? throw new ImageBuildException($"pushing {tag} reported no digest; check the registry for {repository}");
        }
        catch (DockerApiException ex)
        {
            throw new ImageBuildException($"pushing {tag} failed: {RegistryAuth.Explain(EngineMessages.Describe(ex), registry, credentials, _logins.ConfigPath)}", ex);
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
        {
            throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
        }
    }
}
