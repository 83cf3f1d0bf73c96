using System.Buffers;
using System.Net.Sockets;
using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>How a relay ended: bytes each way, and why it was torn down (null = both sides closed cleanly).</summary>
internal sealed record TunnelOutcome(long ToInstance, long FromInstance, string? Failure, bool Idle);

/// <summary>
/// Relays one open tunnel, overlay stream ⇄ instance socket, each direction in its own loop with one pooled buffer.
/// An end of stream is passed on as a half-close; an error in either direction, the idle deadline or the node stopping
/// tears both down at once (stream reset, socket RST), so neither side waits on a half that can no longer move.
/// </summary>
internal sealed class TunnelRelay
{
    private readonly MuxedStream _stream;
    private readonly Socket _socket;
    private readonly string _instanceId;
    private readonly ILocalInstances _instances;
    private readonly TunnelOptions _options;
    private readonly TimeProvider _time;
    private long _lastTraffic;
    private long _lastReported;
    private long _toInstance;
    private long _fromInstance;
    private string? _failure;
    private bool _idle;

    /// <summary>Takes over an open stream and a connected socket; the open itself counts as the first activity.</summary>
    public TunnelRelay(MuxedStream stream, Socket socket, string instanceId, ILocalInstances instances, TunnelOptions options, TimeProvider time)
    {
        _stream = stream;
        _socket = socket;
        _instanceId = instanceId;
        _instances = instances;
        _options = options;
        _time = time;
        _lastTraffic = _lastReported = time.GetTimestamp();
    }

    /// <summary>Relays until both directions ended; always disposes the socket.</summary>
    public async Task<TunnelOutcome> RunAsync(CancellationToken stopping)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
        try
        {
            var registration = abort.Token.Register(TearDown);
            try
            {
                var watchdog = WatchIdleAsync(abort, watch.Token);
                await Task.WhenAll(
                    RunDirectionAsync(PumpToInstanceAsync, "overlay -> instance", abort, stopping),
                    RunDirectionAsync(PumpFromInstanceAsync, "instance -> overlay", abort, stopping)).ConfigureAwait(false);
                await watch.CancelAsync().ConfigureAwait(false);
                await watchdog.ConfigureAwait(false);
            }
            finally
            {
                // Waits for a teardown already running; after this a late cancel can no longer reset a finished tunnel.
                await registration.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _socket.Dispose();
        }

        return new TunnelOutcome(_toInstance, _fromInstance, _failure, _idle);
    }

    private async Task RunDirectionAsync(Func<Memory<byte>, CancellationToken, Task> pump, string direction, CancellationTokenSource abort, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferBytes);
        try
        {
            await pump(buffer.AsMemory(0, _options.BufferBytes), abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The first reason wins; failures caused by the teardown itself only echo it.
            Fail(stopping.IsCancellationRequested ? "the node is stopping" : $"{direction}: {ex.Message}");
            await abort.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PumpToInstanceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The opener half-closed: the instance reads EOF and can still answer.
                _socket.Shutdown(SocketShutdown.Send);
                return;
            }

            Touch();
            var pending = buffer[..read];
            while (!pending.IsEmpty)
            {
                pending = pending[await _socket.SendAsync(pending, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
            }

            _toInstance += read;
        }
    }

    private async Task PumpFromInstanceAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The instance half-closed: the opener reads EOF and can still send.
                await _stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            Touch();
            await _stream.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
            _fromInstance += read;
        }
    }

    private async Task WatchIdleAsync(CancellationTokenSource abort, CancellationToken cancellationToken)
    {
        var limit = _options.IdleTimeout;
        if (limit <= TimeSpan.Zero || limit == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        try
        {
            while (true)
            {
                var remaining = limit - _time.GetElapsedTime(Volatile.Read(ref _lastTraffic));
                if (remaining <= TimeSpan.Zero)
                {
                    _idle = Fail($"no traffic for {limit}");
                    await abort.CancelAsync().ConfigureAwait(false);
                    return;
                }

                // One timer per tunnel, re-armed once per idle period rather than on every chunk.
                await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The relay ended (or was torn down) first.
        }
    }

    private void Touch()
    {
        var now = _time.GetTimestamp();
        Volatile.Write(ref _lastTraffic, now);
        var reported = Volatile.Read(ref _lastReported);
        if (_time.GetElapsedTime(reported, now) >= _options.ActivityInterval
            && Interlocked.CompareExchange(ref _lastReported, now, reported) == reported)
        {
            _instances.RecordActivity(_instanceId);
        }
    }

    private bool Fail(string reason) => Interlocked.CompareExchange(ref _failure, reason, null) is null;

    private void TearDown()
    {
        _stream.Reset();
        try
        {
            // RST rather than FIN: the instance must not take a torn tunnel for a completed exchange.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Dispose();
    }
}
