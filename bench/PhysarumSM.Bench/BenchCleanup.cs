using Docker.DotNet;
using Docker.DotNet.Models;

namespace PhysarumSM.Bench;

/// <summary>
/// Cleanup the measuring commands share: steps that must not stop the ones after them, and force-removal of every
/// container carrying a label. Why one place: coldstart and gateway each had the same copy.
/// </summary>
/// <param name="progress">Where a failed step is reported (the command's progress line).</param>
internal sealed class BenchCleanup(Action<string> progress)
{
    /// <summary>Docker's list filter for one <c>key=value</c> label.</summary>
    public static Dictionary<string, IDictionary<string, bool>> LabelFilter(string label) =>
        new() { ["label"] = new Dictionary<string, bool> { [label] = true } };

    /// <summary>Runs <paramref name="action"/>; a failure is reported, not thrown, so the next step still runs.</summary>
    public async Task BestEffortAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            progress($"cleanup step failed: {ex.Message}");
        }
    }

    /// <summary>Force-removes every container (any state) carrying one of <paramref name="labels"/>, each label best effort.</summary>
    public async Task RemoveContainersAsync(IDockerClient docker, IEnumerable<string> labels, CancellationToken ct)
    {
        foreach (var label in labels)
        {
            await BestEffortAsync(async () =>
            {
                var left = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = LabelFilter(label) }, ct);
                foreach (var container in left)
                {
                    await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct);
                }
            });
        }
    }
}
