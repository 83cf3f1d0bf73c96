using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// Brings a missing image into the engine from the registry its reference names, one pull per reference at a time.
/// Why single-flight: a burst of requests for a service new to this node starts several instances at once, and each
/// would otherwise make the engine and the registry fetch the same image again.
/// </summary>
/// <remarks>
/// A pull is bounded by its timeout and by the runtime's life, not by the start that asked for it: an instance's
/// activation gives up long before a large image has arrived, and the next start on this node should find the image,
/// or join the pull, rather than begin again from nothing.
/// </remarks>
internal sealed partial class ImagePuller(IDockerClient client, TimeSpan timeout, RegistryLogins logins, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _flights = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _pulls;

    /// <summary>How many pulls this puller asked the engine for (tests check that concurrent starts share one).</summary>
    public int PullCount => Volatile.Read(ref _pulls);

    /// <summary>Completes when <paramref name="reference"/> is in the engine, pulling it first, or joining the pull under way, if it is not.</summary>
    /// <param name="reference">An image reference that names a registry (<see cref="ImageReference.Registry"/> is not null).</param>
    /// <param name="cancellationToken">Ends this caller's wait only; the pull goes on for the other callers and the next start.</param>
    /// <exception cref="ContainerStartException">The pull failed or timed out; the message names the reference and has the registry's reason.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task EnsurePresentAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        Task flight;
        lock (_gate)
        {
            if (!_flights.TryGetValue(reference, out flight!))
            {
                // On the thread pool: nothing of the pull runs under the lock, and the flight is in the table before it can end.
                flight = Task.Run(() => FlyAsync(reference), CancellationToken.None);
                _flights.Add(reference, flight);
                // Observed here as well: when every caller has stopped waiting, nobody else would see its failure.
                _ = flight.ContinueWith(static done => _ = done.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        try
        {
            await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !flight.IsCompleted)
        {
            LogStillPulling(reference, timeout.TotalSeconds);
            throw;
        }
    }

    /// <summary>Stops pulls under way (their callers see a cancellation).</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task FlyAsync(string reference)
    {
        try
        {
            // Another flight may have brought it in between this caller's miss and now (the table forgets finished pulls).
            if (!await IsPresentAsync(reference).ConfigureAwait(false))
            {
                await PullAsync(reference).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _flights.Remove(reference);
            }
        }
    }

    private async Task<bool> IsPresentAsync(string reference)
    {
        try
        {
            await client.Images.InspectImageAsync(reference, _stopping.Token).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, _stopping.Token))
        {
            throw new DockerEngineUnavailableException(client.Configuration.EndpointBaseUri, ex);
        }
    }

    private async Task PullAsync(string reference)
    {
        var registry = ImageReference.Registry(reference) ?? throw new ArgumentException($"image {reference} names no registry to pull it from", nameof(reference));
        var (repository, tagOrDigest) = ImageReference.PullTarget(reference);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        limit.CancelAfter(timeout);
        // Errors the engine reports inside the stream (after it began answering) land here rather than in an exception.
        var messages = new EngineMessages(null);
        RegistryCredentials? credentials;
        try
        {
            // Read at every pull, not once: a `docker login` after the node started counts from the next pull on.
            credentials = logins.Find(registry);
        }
        catch (RegistryLoginException ex)
        {
            throw Failed(reference, registry, ex.Message, ex);
        }

        Interlocked.Increment(ref _pulls);
        LogPulling(reference, registry);
        var began = Stopwatch.GetTimestamp();
        try
        {
            // Anonymous unless `docker login` saved a login for this registry (the deploy kit's registry is anonymous).
            await client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = repository, Tag = tagOrDigest }, RegistryAuth.ToAuthConfig(credentials), messages, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (limit.IsCancellationRequested)
        {
            if (_stopping.IsCancellationRequested)
            {
                LogPullFailed(reference, "the container runtime was disposed");
                throw new OperationCanceledException($"pulling image {reference} stopped: the container runtime was disposed", ex);
            }

            var reason = $"it did not finish within {timeout.TotalSeconds:0.###} s (the runtime's PullTimeout)";
            LogPullFailed(reference, reason);
            throw new ContainerStartException(
                $"image {reference} is not in this node's engine and pulling it from registry {registry} failed: {reason}", reference, null, null, [], ex);
        }
        catch (DockerApiException ex)
        {
            throw Failed(reference, registry, RegistryAuth.Explain(EngineMessages.Describe(ex), registry, credentials, logins.ConfigPath), ex);
        }
        catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, limit.Token))
        {
            LogPullFailed(reference, ex.Message);
            throw new DockerEngineUnavailableException(client.Configuration.EndpointBaseUri, ex);
        }

        if (messages.Error is { } error)
        {
            throw Failed(reference, registry, RegistryAuth.Explain(error, registry, credentials, logins.ConfigPath), null);
        }

        LogPulled(reference, Stopwatch.GetElapsedTime(began).TotalMilliseconds);
    }

    private ContainerStartException Failed(string reference, string registry, string why, Exception? cause)
    {
        LogPullFailed(reference, why);
        return new ContainerStartException(
            $"image {reference} is not in this node's engine and pulling it from registry {registry} failed: {why}", reference, null, null, [], cause);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling image {Image} from registry {Registry}: it is not in this node's engine")]
    private partial void LogPulling(string image, string registry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled image {Image} in {ElapsedMs:0} ms")]
    private partial void LogPulled(string image, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pulling image {Image} failed: {Reason}")]
    private partial void LogPullFailed(string image, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A start stopped waiting for image {Image}; its pull goes on (for up to {TimeoutSeconds} s from its start)")]
    private partial void LogStillPulling(string image, double timeoutSeconds);
}
