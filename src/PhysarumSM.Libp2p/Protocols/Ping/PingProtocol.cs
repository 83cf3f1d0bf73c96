using System.Diagnostics;
using System.Security.Cryptography;
using PhysarumSM.Libp2p.Host;

namespace PhysarumSM.Libp2p.Protocols.Ping;

/// <summary>
/// /ipfs/ping/1.0.0: 32 random bytes echoed back, repeatable on one stream. Why a persistent
/// <see cref="PingClient"/>: the ping monitor pings every second and should not renegotiate each time.
/// </summary>
public static class PingProtocol
{
    public const string Id = "/ipfs/ping/1.0.0";

    /// <summary>Payload size fixed by the spec.</summary>
    public const int PayloadSize = 32;

    /// <summary>A peer that stays silent this long on an inbound ping stream is dropped (go: 10 s).</summary>
    public static readonly TimeSpan InboundIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Responder: echoes every 32-byte ping until EOF or idle timeout.</summary>
    public static async Task HandleAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[PayloadSize];
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(InboundIdleTimeout);
            int read;
            try
            {
                read = await stream.Stream.ReadAtLeastAsync(buffer, PayloadSize, throwOnEndOfStream: false, idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (read < PayloadSize)
            {
                // EOF: the pinger is done (a partial ping is simply dropped).
                await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await stream.Stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await stream.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Pings one peer repeatedly over a single stream and measures the round-trip time.</summary>
public sealed class PingClient(Libp2pStream stream) : IAsyncDisposable
{
    private readonly byte[] _sent = new byte[PingProtocol.PayloadSize];
    private readonly byte[] _received = new byte[PingProtocol.PayloadSize];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The stream the pings travel on.</summary>
    public Libp2pStream Stream { get; } = stream;

    /// <summary>Opens a ping stream on <paramref name="connection"/>.</summary>
    public static async Task<PingClient> OpenAsync(Libp2pConnection connection, CancellationToken cancellationToken) =>
        new(await connection.NewStreamAsync([PingProtocol.Id], cancellationToken).ConfigureAwait(false));

    /// <summary>One ping; throws if the echo differs or the stream fails (then open a new client).</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RandomNumberGenerator.Fill(_sent);
            var started = Stopwatch.GetTimestamp();
            await Stream.Stream.WriteAsync(_sent, cancellationToken).ConfigureAwait(false);
            await Stream.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Stream.Stream.ReadExactlyAsync(_received, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!_sent.AsSpan().SequenceEqual(_received))
            {
                throw new Libp2pProtocolException($"ping to {Stream.Connection.RemotePeer}: the echo did not match what was sent");
            }

            return elapsed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Stream.CloseWriteAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The stream is already gone; nothing left to close.
        }

        await Stream.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
