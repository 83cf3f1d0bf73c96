using Docker.DotNet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Engine;
using ImageBuildParameters = Docker.DotNet.Models.ImageBuildParameters;

namespace PhysarumSM.Containers.Images;

/// <summary>
/// Builds a service's image through the engine's build API from its <see cref="ServiceConfig"/>, tags it, optionally
/// pushes it, and works out ContentHash and DockerHash for the registry. Why the API and not the docker CLI: no
/// CLI is needed on the machine, and progress and errors arrive as structured messages.
/// </summary>
public sealed partial class ImageBuilder
{
    private readonly IDockerClient _client;
    private readonly ImageContentHasher _hasher;
    private readonly ImagePusher _pusher;
    private readonly ILogger _logger;

    /// <summary>Builds with the engine behind <paramref name="client"/> (see <see cref="DockerEngineConnector"/>).</summary>
    public ImageBuilder(IDockerClient client, ILogger<ImageBuilder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _hasher = new ImageContentHasher(client);
        _pusher = new ImagePusher(client);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Builds, tags and (if asked) pushes the image, then hashes it; <paramref name="progress"/> receives the build's output lines.</summary>
    /// <exception cref="ImageBuildException">The engine failed the build or push; the message has its reason (e.g. the failing RUN step).</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    /// <exception cref="IOException">A Copy source could not be read.</exception>
    public async Task<BuiltImage> BuildAsync(ImageBuildRequest request, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ImageReference.LooksValid(request.Tag))
        {
            throw new ArgumentException($"image name '{request.Tag}' is not valid: use NAME[:TAG] such as hello-world-server:1.0", nameof(request));
        }

        var imageId = await BuildImageAsync(request, progress, cancellationToken).ConfigureAwait(false);
        var dockerHash = imageId;
        if (request.Push)
        {
            dockerHash = await _pusher.PushAsync(request.Tag, request.Credentials, progress, cancellationToken).ConfigureAwait(false);
            LogPushed(request.Tag, dockerHash);
        }

        var contentHash = string.IsNullOrWhiteSpace(request.ContentId)
            ? await _hasher.ComputeAsync(imageId, cancellationToken).ConfigureAwait(false)
            : request.ContentId.Trim();
        return new BuiltImage
        {
            Tag = request.Tag,
            ImageId = imageId,
            ContentHash = contentHash,
            DockerHash = dockerHash,
            Pushed = request.Push,
        };
    }

    private async Task<string> BuildImageAsync(ImageBuildRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var context = new BuildContext(request.Config);
        LogBuilding(request.Tag, request.Config.Docker.From, request.Config.BuildDirectory);

        // The context goes through a temp file: streamed to the engine with a known length, never whole in memory.
        var contextFile = new FileStream(
            Path.Combine(Path.GetTempPath(), $"physarum-context-{Guid.NewGuid():N}.tar"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (contextFile.ConfigureAwait(false))
        {
            await context.WriteTarAsync(contextFile, cancellationToken).ConfigureAwait(false);
            contextFile.Position = 0;

            var parameters = new ImageBuildParameters
            {
                Tags = [request.Tag],
                Dockerfile = BuildContext.DockerfileName,
                Remove = true,
                ForceRemove = true,
                NoCache = request.NoCache,
            };
            var messages = new EngineMessages(progress);
            try
            {
                await _client.Images.BuildImageFromDockerfileAsync(parameters, contextFile, null, null, messages, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new ImageBuildException($"building {request.Tag} failed: {EngineMessages.Describe(ex)}", ex);
            }
            catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
            {
                throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
            }

            if (messages.Error is { } error)
            {
                var hint = await MissingBaseImageHintAsync(request.Config.Docker.From, cancellationToken).ConfigureAwait(false);
                throw new ImageBuildException($"building {request.Tag} failed: {error}{hint}");
            }
        }

        var image = await _client.Images.InspectImageAsync(request.Tag, cancellationToken).ConfigureAwait(false);
        LogBuilt(request.Tag, image.ID);
        return image.ID;
    }

    // A base image that is not local makes the engine try a registry, which these machines cannot reach.
    private async Task<string> MissingBaseImageHintAsync(string from, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.InspectImageAsync(from, cancellationToken).ConfigureAwait(false);
            return "";
        }
        catch (DockerImageNotFoundException)
        {
            return from == ServiceConfig.DefaultBaseImage
                ? $" (the base image {from} is not in the engine: make it with deploy/make-base-image.sh)"
                : $" (the base image {from} is not in the engine and could not be pulled: load it with docker load or docker import, or use {ServiceConfig.DefaultBaseImage})";
        }
        catch (DockerApiException)
        {
            return "";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Building image {Tag} from {BaseImage} with files from {BuildDirectory}")]
    private partial void LogBuilding(string tag, string baseImage, string buildDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built image {Tag} as {ImageId}")]
    private partial void LogBuilt(string tag, string imageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed image {Tag} as {DockerHash}")]
    private partial void LogPushed(string tag, string dockerHash);
}
