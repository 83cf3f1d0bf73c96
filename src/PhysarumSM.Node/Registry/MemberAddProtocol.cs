using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;
using PhysarumSM.Registry.Cluster;

namespace PhysarumSM.Node.Registry;

/// <summary>
/// <c>/physarum/memberadd/1.0.0</c> (the original's <c>/memberadd/0.1</c>): a node joining the registry asks
/// a registry node over the overlay to add its etcd member, then starts that member as "existing". Why
/// over the overlay: the joiner needs only its bootstraps and the PSK, not the etcd endpoints.
/// </summary>
public static partial class MemberAddProtocol
{
    public const string ProtocolId = "/physarum/memberadd/1.0.0";

    private const int MaxMessageBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What the joiner sends.</summary>
    public sealed record Request(string Name, IReadOnlyList<string> PeerUrls);

    /// <summary>What the registry node answers: the member it added, or why it could not.</summary>
    public sealed record Response(MemberAddResult? Result, string? Error);

    /// <summary>Answers member-add requests on a node that runs the registry (its <see cref="EtcdMembership"/>).</summary>
    public static void Register(Libp2pHost host, IServiceProvider services, ILogger logger) =>
        host.SetStreamHandler(ProtocolId, async (stream, cancellationToken) =>
        {
            Response response;
            try
            {
                var request = JsonSerializer.Deserialize<Request>(
                    await LengthPrefixedMessage.ReadAsync(stream.Stream, MaxMessageBytes, cancellationToken).ConfigureAwait(false), Json)
                    ?? throw new JsonException("empty request");
                var membership = services.GetRequiredService<EtcdMembership>();
                var result = await membership.AddMemberAsync(request.Name, request.PeerUrls, cancellationToken).ConfigureAwait(false);
                LogAdded(logger, request.Name, string.Join(",", request.PeerUrls), stream.Connection.RemotePeer.ToString());
                response = new Response(result, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                response = new Response(null, ex.Message);
            }

            await LengthPrefixedMessage.WriteAsync(stream.Stream, JsonSerializer.SerializeToUtf8Bytes(response, Json), cancellationToken).ConfigureAwait(false);
            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        });

    [LoggerMessage(1, LogLevel.Information, "added etcd member {Name} ({PeerUrls}) for {Peer}")]
    private static partial void LogAdded(ILogger logger, string name, string peerUrls, string peer);
}

/// <summary>Asks the bootstrap nodes, in order, to add this node's etcd member.</summary>
public sealed class OverlayMemberJoiner(Libp2pHost host, IReadOnlyList<Multiaddr> bootstraps) : IEtcdMemberJoiner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<MemberAddResult> AddMemberAsync(string name, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken)
    {
        if (bootstraps.Count == 0)
        {
            throw new InvalidOperationException("joining a registry needs -bootstrap of a node that runs one (or pass -new-etcd-cluster to start a new registry)");
        }

        var failures = new List<string>();
        foreach (var bootstrap in bootstraps)
        {
            try
            {
                var connection = await host.ConnectAsync(bootstrap, cancellationToken).ConfigureAwait(false);
                await using var stream = await connection.NewStreamAsync([MemberAddProtocol.ProtocolId], cancellationToken).ConfigureAwait(false);
                var request = JsonSerializer.SerializeToUtf8Bytes(new MemberAddProtocol.Request(name, peerUrls), Json);
                await LengthPrefixedMessage.WriteAsync(stream.Stream, request, cancellationToken).ConfigureAwait(false);
                await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                var answer = JsonSerializer.Deserialize<MemberAddProtocol.Response>(
                    await LengthPrefixedMessage.ReadAsync(stream.Stream, 64 * 1024, cancellationToken).ConfigureAwait(false), Json);
                if (answer?.Result is { } result)
                {
                    return result;
                }

                failures.Add($"{bootstrap}: {answer?.Error ?? "empty answer"}");
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                failures.Add($"{bootstrap}: {(ex is PhysarumSM.Libp2p.Multistream.ProtocolNotSupportedException ? "does not run a registry" : ex.Message)}");
            }
        }

        throw new InvalidOperationException($"no bootstrap could add this node to the registry:\n  {string.Join("\n  ", failures)}");
    }
}
