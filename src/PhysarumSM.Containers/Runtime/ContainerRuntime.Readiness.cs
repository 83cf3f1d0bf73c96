using Docker.DotNet;
using Microsoft.Extensions.Logging;
using PhysarumSM.Containers.Engine;

namespace PhysarumSM.Containers.Runtime;

// Waiting for an instance: readiness (its port answers HTTP) and its exit.
public sealed partial class ContainerRuntime
{
    /// <summary>Waits until <paramref name="container"/>'s port answers HTTP (any status) on the loopback.</summary>
    /// <param name="container">A container from <see cref="RunAsync"/> or <see cref="AdoptAsync"/>.</param>
    /// <param name="timeout">How long to wait; null = <see cref="ContainerRuntimeOptions.ReadyTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ContainerStartException">It exited first (with its exit code and last log lines), was removed, or did not answer within <paramref name="timeout"/> (exit code null). The container is left as it is.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task WaitReadyAsync(RunningContainer container, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var limit = timeout ?? _options.ReadyTimeout;
        var address = container.LoopbackAddress(_options.HostAddress);
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exited = WaitForExitAsync(container.Id, watch.Token);
        using var deadline = new CancellationTokenSource(limit);
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                if (exited.IsCompleted)
                {
                    throw await ExitedWhileWaitingAsync(container, exited).ConfigureAwait(false);
                }

                if (await ProbeAsync(address, scope.Token).ConfigureAwait(false))
                {
                    LogReady(container.Id, container.InstanceId, address);
                    return;
                }

                await Task.WhenAny(exited, Task.Delay(_options.ProbeInterval, scope.Token)).ConfigureAwait(false);
                scope.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (exited.IsCompleted)
            {
                throw await ExitedWhileWaitingAsync(container, exited).ConfigureAwait(false);
            }

            throw new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} runs but did not answer HTTP on {address} within {limit.TotalSeconds:0.###} s",
                container.Image, container.Id, null, await TryLogTailAsync(container.Id).ConfigureAwait(false));
        }
        finally
        {
            await watch.CancelAsync().ConfigureAwait(false);
            try
            {
                await exited.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ContainerNotFoundException or DockerEngineUnavailableException or DockerApiException)
            {
                // the watch only served this wait; its outcome was handled above or no longer matters
            }
        }
    }

    /// <summary>
    /// Completes with the exit code when the container stops for any reason (exit, kill, OOM, stop, forced removal);
    /// at once if it is not running now. A paused container has not stopped.
    /// </summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine stopped answering.</exception>
    public async Task<long> WaitForExitAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        while (true)
        {
            try
            {
                var response = await _client.Containers.WaitContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
                LogExited(containerId, response.StatusCode);
                return response.StatusCode;
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw ContainerNotFoundException.For(containerId, ex);
            }
            catch (Exception ex) when (ex is TaskCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The client's own request timeout ended a long wait: if the container still runs, wait again.
                var details = await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
                if (details.State is not (ContainerRunState.Running or ContainerRunState.Paused or ContainerRunState.Restarting))
                {
                    return details.ExitCode;
                }
            }
            catch (Exception ex) when (DockerEngineConnector.IsUnreachable(ex, cancellationToken))
            {
                throw new DockerEngineUnavailableException(_client.Configuration.EndpointBaseUri, ex);
            }
        }
    }

    private async Task<bool> ProbeAsync(Uri address, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.ProbeRequestTimeout);
        // HEAD: any HTTP answer means ready, and a service's GET / may be real work (the Greeter's calls another service).
        using var request = new HttpRequestMessage(HttpMethod.Head, address);
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await _probe.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (HttpRequestException)
        {
            // Not listening yet: the engine's proxy accepts the connection and closes it.
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Accepted but no answer within the probe's limit (still starting, or paused).
            return false;
        }
    }

    private async Task<ContainerStartException> ExitedWhileWaitingAsync(RunningContainer container, Task<long> exited)
    {
        try
        {
            await exited.ConfigureAwait(false);
        }
        catch (ContainerNotFoundException ex)
        {
            return new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} was removed before it answered HTTP",
                container.Image, container.Id, null, [], ex);
        }

        var details = await InspectAsync(container.Id).ConfigureAwait(false);
        return details is null
            ? new ContainerStartException(
                $"container {container.Name} ({container.Image}) of instance {container.InstanceId} exited with code {exited.Result} and was removed before it answered HTTP",
                container.Image, container.Id, exited.Result, [])
            : await ExitedBeforeReadyAsync(details, container.Image, container.InstanceId, "it answered HTTP").ConfigureAwait(false);
    }

    private async Task<ContainerStartException> ExitedBeforeReadyAsync(ContainerDetails details, string image, string instanceId, string before)
    {
        var reason = details.OomKilled ? " (killed: out of memory)" : details.Error.Length > 0 ? $" ({details.Error})" : "";
        return new ContainerStartException(
            $"container {details.Name} ({image}) of instance {instanceId} exited with code {details.ExitCode}{reason} before {before}",
            image, details.Id, details.ExitCode, await TryLogTailAsync(details.Id).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<string>> TryLogTailAsync(string containerId)
    {
        try
        {
            return await LogTailAsync(containerId, Math.Max(1, _options.ErrorLogLines)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContainerNotFoundException or DockerApiException or DockerEngineUnavailableException or IOException)
        {
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} of instance {InstanceId} answers at {Address}")]
    private partial void LogReady(string containerId, string instanceId, Uri address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} exited with code {ExitCode}")]
    private partial void LogExited(string containerId, long exitCode);
}
