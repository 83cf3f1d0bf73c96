using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace PhysarumSM.Client.Hosting;

/// <summary>
/// The client's one membership choice, mirroring the nodes': Redis when they use <c>-redis</c>, else their gateway ports;
/// and mutual TLS when they use <c>-cluster-cert</c>.
/// </summary>
internal static class ClientClustering
{
    public static void Apply(IClientBuilder client, PhysarumClientOptions options)
    {
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId.Trim();
            o.ServiceId = options.ServiceId.Trim();
        });
        if (options.UsesTls)
        {
            ClientClusterTls.Apply(client, options);
        }

        if (options.UsesRedis)
        {
            var redis = ConfigurationOptions.Parse(options.Redis!.Trim());
            client.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
            return;
        }

        client.UseStaticClustering([.. options.EffectiveGateways.Select(Endpoint)]);
    }

    private static System.Net.IPEndPoint Endpoint(string text) =>
        GatewayEndpoint.TryParse(text, out var endpoint)
            ? endpoint.Resolve()
            : throw new ArgumentException($"{PhysarumClientOptions.SectionName}:Gateways entry '{text}' is not HOST:PORT");
}
