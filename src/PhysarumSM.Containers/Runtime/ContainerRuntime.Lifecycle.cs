using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Runtime;

// After the start: stop, remove, pause for the warm pool, list, inspect, adopt after a restart, logs.
public sealed partial class ContainerRuntime
{
    /// <summary>Stops the container (SIGTERM, then SIGKILL after <see cref="ContainerRuntimeOptions.StopTimeout"/>); a paused one is unpaused first. False when it was not running.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<bool> StopAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, Math.Ceiling(_options.StopTimeout.TotalSeconds)) };
        bool stopped;
        try
        {
            stopped = await CallAsync(containerId, token => _client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // Some engines refuse to stop a paused container: resume it, then stop it.
            if ((await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false)).State != ContainerRunState.Paused)
            {
                throw;
            }

            await UnpauseAsync(containerId, cancellationToken).ConfigureAwait(false);
            stopped = await CallAsync(containerId, token => _client.Containers.StopContainerAsync(containerId, parameters, token), cancellationToken).ConfigureAwait(false);
        }

        LogStopped(containerId, stopped);
        return stopped;
    }

    /// <summary>Removes the container whatever its state (running and paused ones are killed). False when it was already gone or being removed.</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<bool> RemoveAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await CallAsync(
                containerId,
                async token =>
                {
                    await _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, token).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // "removal of container ... is already in progress"
            return false;
        }

        LogRemoved(containerId);
        return true;
    }

    /// <summary>Freezes the container (warm pool): it keeps its memory and port but runs and answers nothing. Pausing a paused one is a no-op.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="InvalidOperationException">It is not running (e.g. exited).</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public Task PauseAsync(string containerId, CancellationToken cancellationToken = default) =>
        ChangePauseAsync(containerId, pause: true, cancellationToken);

    /// <summary>Resumes a paused container; unpausing a running one is a no-op.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="InvalidOperationException">It is not running (e.g. exited).</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken = default) =>
        ChangePauseAsync(containerId, pause: false, cancellationToken);

    /// <summary>Lists containers (stopped ones included) carrying every label of <paramref name="labels"/> with that value (an empty value = the label is present).</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<IReadOnlyList<ContainerSummary>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var filter = labels.ToDictionary(pair => pair.Value.Length == 0 ? pair.Key : $"{pair.Key}={pair.Value}", _ => true);
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = filter.Count == 0 ? null : new Dictionary<string, IDictionary<string, bool>> { ["label"] = filter },
        };
        var listed = await CallAsync(null, token => _client.Containers.ListContainersAsync(parameters, token), cancellationToken).ConfigureAwait(false);
        return listed.Select(ContainerMapping.ToSummary).ToList();
    }

    /// <summary>The container's state, labels, environment, limits and exit status; null when there is no such container.</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<ContainerDetails?> InspectAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            return await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// A container a previous run left (found with <see cref="ListAsync"/>), as a <see cref="RunningContainer"/> when it is running
    /// or paused and publishes its service port; null otherwise (then remove it).
    /// </summary>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<RunningContainer?> AdoptAsync(string containerId, CancellationToken cancellationToken = default)
    {
        var details = await InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (details is not { State: ContainerRunState.Running or ContainerRunState.Paused, HostPort: { } hostPort, ServicePort: { } servicePort })
        {
            return null;
        }

        LogAdopted(details.Id, details.InstanceId, details.State);
        return new RunningContainer(details.Id, details.Name, details.Image, hostPort, servicePort, details.Labels, details.StartedAt ?? details.Created, details.NetworkAddress);
    }

    /// <summary>The container's last <paramref name="lines"/> log lines, stdout and stderr in the order written.</summary>
    /// <exception cref="ContainerNotFoundException">No such container.</exception>
    /// <exception cref="DockerEngineUnavailableException">The engine does not answer.</exception>
    public async Task<IReadOnlyList<string>> LogTailAsync(string containerId, int lines, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Tail = Math.Min(lines, MaxLogLines).ToString(CultureInfo.InvariantCulture),
        };
        using var stream = await CallAsync<MultiplexedStream>(containerId, token => _client.Containers.GetContainerLogsAsync(containerId, false, parameters, token), cancellationToken)
            .ConfigureAwait(false);
        return await ContainerLogReader.ReadLinesAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private async Task ChangePauseAsync(string containerId, bool pause, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await CallAsync(
                containerId,
                async token =>
                {
                    if (pause)
                    {
                        await _client.Containers.PauseContainerAsync(containerId, token).ConfigureAwait(false);
                    }
                    else
                    {
                        await _client.Containers.UnpauseContainerAsync(containerId, token).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            // The engine answers 409 to pausing a paused container and 500 to unpausing a running one: check what it is.
            var details = await InspectRequiredAsync(containerId, cancellationToken).ConfigureAwait(false);
            var wanted = pause ? ContainerRunState.Paused : ContainerRunState.Running;
            if (details.State != wanted)
            {
                throw new InvalidOperationException(
                    $"cannot {(pause ? "pause" : "unpause")} container {details.Name}: it is {details.State.ToString().ToLowerInvariant()} ({EngineMessages.Describe(ex)})", ex);
            }

            return;
        }

        if (pause)
        {
            LogPaused(containerId);
        }
        else
        {
            LogUnpaused(containerId);
        }
    }

    private async Task<ContainerDetails> InspectRequiredAsync(string containerId, CancellationToken cancellationToken)
    {
        var inspected = await CallAsync(containerId, token => _client.Containers.InspectContainerAsync(containerId, token), cancellationToken).ConfigureAwait(false);
        return ContainerMapping.ToDetails(inspected);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopted container {ContainerId} of instance {InstanceId} ({State})")]
    private partial void LogAdopted(string containerId, string instanceId, ContainerRunState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped container {ContainerId} (was running: {WasRunning})")]
    private partial void LogStopped(string containerId, bool wasRunning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed container {ContainerId}")]
    private partial void LogRemoved(string containerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Paused container {ContainerId}")]
    private partial void LogPaused(string containerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unpaused container {ContainerId}")]
    private partial void LogUnpaused(string containerId);
}
