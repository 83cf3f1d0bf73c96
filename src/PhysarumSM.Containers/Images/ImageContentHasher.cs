using System.Security.Cryptography;
using Docker.DotNet;
using PhysarumSM.Containers.Engine;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// ContentHash of an image: sha256 of the engine's saved image (<c>docker save</c>) streamed through the hash.
/// Why save by id: the saved archive then names no tags, so the same image hashes the same whatever it is tagged.
/// </summary>
public sealed class ImageContentHasher
{
    private readonly IDockerClient _client;

    /// <summary>Hashes images of the engine behind <paramref name="client"/>.</summary>
    public ImageContentHasher(IDockerClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>"sha256:&lt;hex&gt;" of the saved image named by <paramref name="image"/> (tag, id or repo@digest).</summary>
    /// <exception cref="ImageBuildException">The image does not exist or the engine failed to save it.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<string> ComputeAsync(string image, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        try
        {
            var id = (await _client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false)).ID;
            var saved = await _client.Images.SaveImageAsync(id, cancellationToken).ConfigureAwait(false);
            await using (saved.ConfigureAwait(false))
            {
                var hash = await SHA256.HashDataAsync(saved, cancellationToken).ConfigureAwait(false);
                return "sha256:" + Convert.ToHexStringLower(hash);
            }
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new ImageBuildException($"cannot hash {image}: the engine has no such image ({EngineMessages.Describe(ex)})", ex);
        }
        catch (DockerApiException ex)
        {
            throw new ImageBuildException($"cannot hash {image}: the engine failed to save it: {EngineMessages.Describe(ex)}", ex);
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
        {
            throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
        }
    }
}
