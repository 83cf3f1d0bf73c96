using PhysarumSM.Libp2p.Protocols.Identify;

namespace PhysarumSM.Libp2p.Host;

// Identify: what this host says about itself, one exchange per connection, and pushes.
public sealed partial class Libp2pHost
{
    private IdentifyInfo DescribeSelf() => new(
        _identity.PublicKey,
        ListenAddresses,
        Protocols,
        null,
        _options.ProtocolVersion,
        _options.AgentVersion);

    /// <summary>
    /// One identify exchange per connection, shared by every caller. Why: js-libp2p accepts a single inbound identify
    /// stream per connection and resets a second, so an explicit identify racing the automatic one would fail.
    /// A failed exchange is forgotten, so the next call tries again; push updates keep the peer store current.
    /// </summary>
    private Task<IdentifyInfo> IdentifyAsync(Libp2pConnection connection, CancellationToken cancellationToken)
    {
        Task<IdentifyInfo> exchange;
        lock (connection)
        {
            if (connection.Identify is not { IsFaulted: false, IsCanceled: false } current)
            {
                current = ExchangeIdentifyAsync(connection, _stopping.Token);
                connection.Identify = current;
            }

            exchange = current;
        }

        return exchange.WaitAsync(cancellationToken);
    }

    private async Task<IdentifyInfo> ExchangeIdentifyAsync(Libp2pConnection connection, CancellationToken cancellationToken)
    {
        await using var stream = await connection.NewStreamAsync([IdentifyProtocol.Id], cancellationToken).ConfigureAwait(false);
        var info = await IdentifyProtocol.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        PeerStore.SetIdentify(connection.RemotePeer, info);
        Raise(PeerIdentified, connection);
        return info;
    }

    private async Task HandleIdentifyPushAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var info = await IdentifyProtocol.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        PeerStore.SetIdentify(stream.Connection.RemotePeer, info);
    }

    private async Task IdentifyInBackgroundAsync(Libp2pConnection connection)
    {
        try
        {
            await IdentifyAsync(connection, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            HostLog.IdentifyFailed(_logger, connection.RemotePeer, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Host shutting down.
        }
    }
}
