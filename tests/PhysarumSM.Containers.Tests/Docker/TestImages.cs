using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>Names, cleanup and a running container for the engine tests; why here: each test removes exactly what it made.</summary>
internal static class TestImages
{
    /// <summary>A tag no other run uses (the engine is shared with other test processes).</summary>
    public static string UniqueTag(string name) => $"physarum-test/{name}:{Guid.NewGuid():N}";

    public static async Task RemoveImageAsync(IDockerClient client, string reference)
    {
        try
        {
            await client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerImageNotFoundException)
        {
        }
    }

    /// <summary>Removes one reference (tag or digest) without force, so layers other images share stay; a missing one is fine.</summary>
    public static async Task UntagAsync(IDockerClient client, string reference)
    {
        try
        {
            await client.Images.DeleteImageAsync(reference, new ImageDeleteParameters(), CancellationToken.None);
        }
        catch (DockerImageNotFoundException)
        {
        }
    }

    /// <summary>
    /// Removes the intermediate images a failed build left as cache (the " ---> id" lines of its output), newest first,
    /// never the base image they start from.
    /// </summary>
    public static async Task RemoveIntermediatesAsync(IDockerClient client, IEnumerable<string> buildLines, string baseImage)
    {
        var baseId = (await client.Images.InspectImageAsync(baseImage)).ID;
        var ids = buildLines
            .Where(line => line.StartsWith("---> ", StringComparison.Ordinal) && !line.StartsWith("---> Running in", StringComparison.Ordinal))
            .Select(line => line["---> ".Length..].Trim())
            .Where(id => !baseId.Replace("sha256:", "", StringComparison.Ordinal).StartsWith(id, StringComparison.Ordinal))
            .Reverse();
        foreach (var id in ids)
        {
            try
            {
                await client.Images.DeleteImageAsync(id, new ImageDeleteParameters(), CancellationToken.None);
            }
            catch (DockerApiException)
            {
                // already gone, or still a parent of an image someone else built: not ours to force
            }
        }
    }

    /// <summary>Starts <paramref name="image"/> with SERVICE_PORT published on a free loopback port; returns the container id and that port.</summary>
    public static async Task<(string Id, int Port)> RunPublishedAsync(IDockerClient client, string image, int servicePort)
    {
        var portKey = $"{servicePort}/tcp";
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Env = [$"SERVICE_PORT={servicePort}"],
            Labels = new Dictionary<string, string> { ["physarum.test"] = "containers-tests" },
            ExposedPorts = new Dictionary<string, EmptyStruct> { [portKey] = default },
            HostConfig = new HostConfig
            {
                // HostPort "" lets the engine pick a free port; loopback only.
                PortBindings = new Dictionary<string, IList<PortBinding>> { [portKey] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
            },
        });
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            var inspected = await client.Containers.InspectContainerAsync(created.ID);
            var port = int.Parse(inspected.NetworkSettings.Ports[portKey][0].HostPort, System.Globalization.CultureInfo.InvariantCulture);
            return (created.ID, port);
        }
        catch
        {
            await RemoveContainerAsync(client, created.ID);
            throw;
        }
    }

    public static async Task RemoveContainerAsync(IDockerClient client, string id)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    /// <summary>GETs <paramref name="url"/> until the server answers (the port is published before the process listens); the limit is a failure guard only.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetWhenReadyAsync(string url, IDockerClient client, string containerId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                var state = (await client.Containers.InspectContainerAsync(containerId)).State;
                if (!state.Running)
                {
                    throw new InvalidOperationException($"the container exited with {state.ExitCode} before answering");
                }

                await Task.Delay(100);
            }
        }
    }
}
