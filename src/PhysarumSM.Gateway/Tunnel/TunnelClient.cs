using System.Text.Json;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>Opens <c>/physarum/tunnel/1.0.0</c> tunnels to instances on other nodes.</summary>
public static class TunnelClient
{
    /// <summary>
    /// How long the node may take to answer (it reads the header and connects to the instance's port, both bounded
    /// by its own deadlines of 10 s and 5 s).
    /// </summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Opens a tunnel to <paramref name="instanceId"/>'s port on <paramref name="node"/>.</summary>
    /// <param name="host">The overlay host to open the stream from; it dials <paramref name="node"/> if not connected.</param>
    /// <param name="node">The node that runs the instance.</param>
    /// <param name="instanceId">The instance key.</param>
    /// <param name="cancellationToken">Cancels the open (not the returned stream).</param>
    /// <returns>A <see cref="TunnelStream"/> carrying raw bytes to and from the instance.</returns>
    /// <exception cref="TunnelRefusedException">The node refused (not-found, busy, unreachable, invalid).</exception>
    /// <exception cref="TimeoutException">The node did not answer within <see cref="AnswerTimeout"/>.</exception>
    /// <exception cref="IOException">The node could not be reached, or broke the protocol.</exception>
    public static async Task<Stream> OpenAsync(Libp2pHost host, PeerId node, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var request = JsonSerializer.SerializeToUtf8Bytes(new TunnelRequest { Instance = instanceId }, TunnelWire.Json);
        if (request.Length > TunnelWire.MaxRequestBytes)
        {
            throw new ArgumentException($"instance key of {instanceId.Length} characters does not fit a tunnel header", nameof(instanceId));
        }

        var stream = await host.NewStreamAsync(node, [TunnelWire.ProtocolId], cancellationToken).ConfigureAwait(false);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(AnswerTimeout);
            TunnelAnswer answer;
            try
            {
                await LengthPrefixedMessage.WriteAsync(stream.Stream, request, deadline.Token).ConfigureAwait(false);
                answer = Parse(await LengthPrefixedMessage.ReadAsync(stream.Stream, TunnelWire.MaxAnswerBytes, deadline.Token).ConfigureAwait(false), node);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"node {node} did not answer the tunnel request for instance '{instanceId}' within {AnswerTimeout.TotalSeconds:0.#} s", ex);
            }

            if (!answer.Ok)
            {
                throw new TunnelRefusedException(answer.Code ?? "unknown", node.ToString(), instanceId, answer.Error ?? "no reason given");
            }

            return new TunnelStream(stream, node, instanceId);
        }
        catch
        {
            stream.Stream.Reset();
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static TunnelAnswer Parse(byte[] bytes, PeerId node)
    {
        try
        {
            return JsonSerializer.Deserialize<TunnelAnswer>(bytes, TunnelWire.Json)
                ?? throw new JsonException("empty answer");
        }
        catch (JsonException ex)
        {
            throw new Libp2pProtocolException($"node {node} answered the tunnel request with a malformed header: {ex.Message}", ex);
        }
    }
}
