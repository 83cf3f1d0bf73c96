using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Multistream;

namespace PhysarumSM.Node.Overlay;

/// <summary>The two sides of <c>/physarum/peers/1.0.0</c> (see <see cref="PeerExchangeWire"/> for the format).</summary>
public sealed partial class PeerExchange
{
    /// <summary>Asks a connected peer for the peers it is connected to; does not dial.</summary>
    /// <exception cref="IOException">Not connected, or the stream failed.</exception>
    /// <exception cref="ProtocolNotSupportedException">The peer does not speak peer exchange.</exception>
    /// <exception cref="PeerExchangeException">The answer was malformed or too large.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="PeerExchangeOptions.ExchangeTimeout"/>.</exception>
    public async Task<PeerExchangeAnswer> RequestPeersAsync(PeerId peer, CancellationToken cancellationToken)
    {
        var connection = _host.GetConnection(peer) ?? throw new IOException($"not connected to {peer}");
        return await RequestPeersAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PeerExchangeAnswer> RequestPeersAsync(Libp2pConnection connection, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ExchangeTimeout);
        try
        {
            var stream = await connection.NewStreamAsync([ProtocolId], deadline.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await PeerExchangeWire.WriteFrameAsync(stream.Stream, PeerExchangeWire.EncodeRequest(_options.MaxPeersPerAnswer), deadline.Token).ConfigureAwait(false);
                await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
                var message = await PeerExchangeWire.ReadFrameAsync(stream.Stream, _options.MaxMessageBytes, deadline.Token).ConfigureAwait(false);
                try
                {
                    return PeerExchangeWire.DecodeAnswer(message, _options.MaxPeersPerAnswer, _options.MaxAddressesPerPeer);
                }
                catch (FormatException ex)
                {
                    throw new PeerExchangeException($"peer exchange: malformed answer: {ex.Message}", ex);
                }
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{connection.RemotePeer} did not answer peer exchange within {_options.ExchangeTimeout.TotalSeconds:0.#} s", ex);
        }
    }

    /// <summary>Responder: one request in, our connected peers (minus the asker) out, then half-close.</summary>
    private async Task HandleRequestAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        deadline.CancelAfter(_options.ExchangeTimeout);
        var asker = stream.Connection;
        int wanted;
        try
        {
            var request = await PeerExchangeWire.ReadFrameAsync(stream.Stream, PeerExchangeWire.MaxRequestBytes, deadline.Token).ConfigureAwait(false);
            wanted = PeerExchangeWire.DecodeRequest(request);
        }
        catch (Exception ex) when (ex is PeerExchangeException or FormatException || (ex is OperationCanceledException && !_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            OverlayLog.ExchangeRequestRefused(_logger, asker.RemotePeer, ex is OperationCanceledException ? "no request in time" : ex.Message);
            stream.Stream.Reset();
            return;
        }

        var limit = wanted == 0 ? _options.MaxPeersPerAnswer : Math.Min(wanted, _options.MaxPeersPerAnswer);
        var answer = PeerExchangeWire.EncodeAnswer(DescribeMesh(asker, limit), _options.MaxMessageBytes);
        await PeerExchangeWire.WriteFrameAsync(stream.Stream, answer, deadline.Token).ConfigureAwait(false);
        await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Our connected peers with their known addresses, in random order so that a capped answer still
    /// spreads knowledge of every peer. Loopback addresses go only to an asker on this machine, about a
    /// peer on this machine.
    /// </summary>
    private IEnumerable<PeerAdvert> DescribeMesh(Libp2pConnection asker, int limit)
    {
        var peers = _host.ConnectedPeers.ToArray();
        Random.Shared.Shuffle(peers);
        var askerIsLocal = asker.RemoteAddress.IsLoopback;
        var count = 0;
        foreach (var peer in peers)
        {
            if (count >= limit)
            {
                yield break;
            }

            if (peer == asker.RemotePeer || _host.GetConnection(peer) is not { } connection)
            {
                continue;
            }

            var allowLoopback = askerIsLocal && connection.RemoteAddress.IsLoopback;
            var addresses = VouchedAddresses(connection)
                .Where(a => DialableAddress.IsDialable(a, allowLoopback))
                .Take(_options.MaxAddressesPerPeer)
                .ToArray();
            if (addresses.Length > 0)
            {
                count++;
                yield return new PeerAdvert(peer, addresses);
            }
        }
    }

    /// <summary>
    /// Addresses we can vouch for: the one we reached the peer at, then what it says in identify. Why not
    /// the whole peer store: it also keeps every address anyone ever dialled, including ones that failed.
    /// </summary>
    private IReadOnlyList<Multiaddr> VouchedAddresses(Libp2pConnection connection)
    {
        var addresses = new List<Multiaddr>();
        if (connection.Direction == ConnectionDirection.Outbound)
        {
            addresses.Add(connection.RemoteAddress);
        }

        if (_host.PeerStore.GetIdentify(connection.RemotePeer) is { } identify)
        {
            addresses.AddRange(identify.ListenAddresses.Select(a => a.WithoutPeerId()).Where(a => !addresses.Contains(a)));
        }

        return addresses;
    }
}
