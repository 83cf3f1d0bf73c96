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

    /// <summary>Pushes through the engine behind <paramref name="client"/>.</summary>
    public ImagePusher(IDockerClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>Pushes <paramref name="tag"/>; <paramref name="progress"/> receives the engine's status lines.</summary>
    /// <returns>The pushed image as <c>repository@sha256:…</c>.</returns>
    /// <exception cref="ImageBuildException">The push failed; the message has the engine's or registry's reason.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<string> PushAsync(string tag, RegistryCredentials? credentials = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var messages = new EngineMessages(progress);
        var repository = ImageReference.Repository(tag);
        try
        {
            var auth = credentials is null
                ? new AuthConfig()
                : new AuthConfig { Username = credentials.Username, Password = credentials.Password, ServerAddress = credentials.ServerAddress };
            await _client.Images.PushImageAsync(tag, new ImagePushParameters(), auth, messages, cancellationToken).ConfigureAwait(false);
            if (messages.Error is { } error)
            {
                throw new ImageBuildException($"pushing {tag} failed: {error}");
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
            throw new ImageBuildException($"pushing {tag} failed: {EngineMessages.Describe(ex)}", ex);
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
        {
            throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
        }
    }
}
