using System.Globalization;
using Microsoft.Extensions.Options;
using PhysarumSM.Client;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Samples.IntegratorClient;

/// <summary>The sample's steps: list nodes and services, resolve and call one service, then print events for a while.</summary>
internal sealed class MeshTour(IPhysarumClient mesh, IOptions<SampleSettings> settings)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var sample = settings.Value;
        await PrintNodesAsync(cancellationToken);
        await PrintServicesAsync(cancellationToken);
        var exitCode = 0;
        if (!string.IsNullOrWhiteSpace(sample.Service))
        {
            exitCode = await CallAsync(sample.Service, sample.Path, cancellationToken);
        }

        if (sample.WatchSeconds > 0)
        {
            await WatchAsync(TimeSpan.FromSeconds(sample.WatchSeconds), cancellationToken);
        }

        return exitCode;
    }

    private async Task PrintNodesAsync(CancellationToken cancellationToken)
    {
        var nodes = await mesh.NodesAsync(cancellationToken);
        Console.WriteLine($"nodes: {nodes.Count}");
        foreach (var node in nodes)
        {
            var info = node.Info;
            Console.WriteLine($"  {info.PeerId} host={info.HostName} roles={info.Roles} gateway={Or(info.GatewayUrl)} instances={info.Instances.Length}{(node.IsStale ? " (stale)" : "")}");
        }
    }

    private async Task PrintServicesAsync(CancellationToken cancellationToken)
    {
        var services = await mesh.ListAsync(cancellationToken);
        Console.WriteLine($"services: {services.Count}");
        foreach (var record in services)
        {
            var info = record.Info;
            Console.WriteLine($"  {info.Name} image={info.DockerHash} soft={info.SoftRttMs}ms hard={info.HardRttMs}ms cpu={info.CpuReq.ToString(CultureInfo.InvariantCulture)} memory={info.MemoryReq}MiB version={record.Version}");
        }
    }

    private async Task<int> CallAsync(string service, string path, CancellationToken cancellationToken)
    {
        try
        {
            // Resolving first is optional (SendAsync alone cold-starts too); it shows where the instance runs.
            var instance = await mesh.ResolveAsync(service, cancellationToken);
            Console.WriteLine($"resolved {service}: instance {instance.InstanceId} on node {instance.NodeId} (container {instance.ContainerId[..Math.Min(12, instance.ContainerId.Length)]})");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.RelativeOrAbsolute));
            using var response = await mesh.SendAsync(service, request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Console.WriteLine($"GET {path} -> {(int)response.StatusCode} {response.ReasonPhrase}");
            Console.WriteLine(body.TrimEnd());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is ServiceNotFoundException or NoInstanceWithinRequirementException or EntryNodeNotFoundException or HttpRequestException)
        {
            Console.Error.WriteLine($"{service}: {ex.Message}");
            return 1;
        }
    }

    private async Task WatchAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        Console.WriteLine($"events for {duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:");
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watch.CancelAfter(duration);
        try
        {
            await foreach (var meshEvent in mesh.EventsAsync(watch.Token))
            {
                Console.WriteLine($"  #{meshEvent.Sequence} {meshEvent.At:HH:mm:ss} {meshEvent.Kind} {meshEvent.Service} {meshEvent.InstanceId} {meshEvent.Message}");
            }
        }
        catch (OperationCanceledException) when (watch.IsCancellationRequested)
        {
            // The watch is over.
        }
    }

    private static string Or(string value) => value.Length == 0 ? "-" : value;
}
