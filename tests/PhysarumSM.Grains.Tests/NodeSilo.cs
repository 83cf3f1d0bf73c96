using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhysarumSM.Node.Cluster;

namespace PhysarumSM.Grains.Tests;

/// <summary>Real silos on real sockets, each a generic host built the way the node builds its silo.</summary>
internal sealed class NodeSilo(IHost host) : IAsyncDisposable
{
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public SiloAddress Address => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public static async Task<NodeSilo> StartAsync(NodeClusterOptions options, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UsePhysarumClustering(options).AddPhysarumGrains());
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new NodeSilo(host);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await host.StopAsync(guard.Token);
        }
        finally
        {
            host.Dispose();
        }
    }
}
