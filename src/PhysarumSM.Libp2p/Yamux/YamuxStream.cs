using System.Diagnostics;
using System.Runtime.CompilerServices;
using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// One yamux stream. Why its own buffer and windows: every stream is flow-controlled separately, so a slow reader
/// on one stream never stalls the others sharing the connection. One read and one write may run concurrently;
/// synchronous Read/Write are not supported (they would block a thread on the network).
/// </summary>
public sealed partial class YamuxStream : MuxedStream
{
    private readonly YamuxSession _session;
    private readonly Lock _gate = new();
    private readonly ReceiveBuffer _received = new();
    private readonly ReceiveWindow _receiveWindow;
    private readonly SendWindow _sendWindow = new(YamuxOptions.SpecInitialWindow);
    private readonly AsyncAutoResetEvent _readable = new();
    private readonly AsyncAutoResetEvent _writable = new();
    private bool _localClosed;
    private bool _remoteClosed;
    private bool _resetLocally;
    private bool _resetByPeer;
    private bool _disposed;
    private bool _released;
    private Exception? _sessionEnd;
    private int _reading;
    private int _writing;

    // A read waiting for data parks its buffer here so the session's reader copies payload straight into it
    // instead of into _received first. Why: that saves one copy of every received byte while the application
    // keeps up (measured: the receive side spent a quarter of its time in memmove). Guarded by _gate.
    private Memory<byte> _parkedRead;
    private int _parkedFilled;

    internal YamuxStream(YamuxSession session, uint id, bool isInbound, int initialWindow, int maxWindow)
    {
        _session = session;
        Id = id;
        IsInbound = isInbound;
        _receiveWindow = new ReceiveWindow(initialWindow, maxWindow);
    }

    public override uint Id { get; }

    /// <summary>True when the peer opened this stream.</summary>
    internal bool IsInbound { get; }

    internal bool IsReset
    {
        get
        {
            lock (_gate)
            {
                return _resetLocally || _resetByPeer;
            }
        }
    }

    /// <summary>Current receive window (grows when the application reads quickly); for diagnostics.</summary>
    internal long ReceiveWindowSize
    {
        get
        {
            lock (_gate)
            {
                return _receiveWindow.Size;
            }
        }
    }

    public override bool CanRead => !_disposed;

    public override bool CanWrite => !_disposed && !_localClosed;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            return ValueTask.FromException<int>(new InvalidOperationException("Another read is already in progress on this stream."));
        }

        bool handedOff = false;
        try
        {
            if (TryReadBuffered(buffer, park: false, out int read))
            {
                return new ValueTask<int>(read);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<int>(cancellationToken);
            }

            handedOff = true;
            return ReadWhenAvailableAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
        finally
        {
            if (!handedOff)
            {
                Volatile.Write(ref _reading, 0);
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _writing, 1) != 0)
        {
            return ValueTask.FromException(new InvalidOperationException("Another write is already in progress on this stream."));
        }

        bool handedOff = false;
        try
        {
            int written = WriteWhatFits(buffer.Span);
            if (written == buffer.Length)
            {
                return ValueTask.CompletedTask;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            handedOff = true;
            return WriteRemainderAsync(buffer[written..], cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
        finally
        {
            if (!handedOff)
            {
                Volatile.Write(ref _writing, 0);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Nothing to do: frames are queued for the session's writer as soon as WriteAsync returns.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Yamux streams are asynchronous only; use ReadAsync.");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Yamux streams are asynchronous only; use WriteAsync.");

    public override ValueTask CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        CloseWrite();
        return ValueTask.CompletedTask;
    }

    public override void Reset()
    {
        bool release;
        lock (_gate)
        {
            if (_resetLocally || _resetByPeer)
            {
                return;
            }

            // RST only while the peer can still be sending or waiting on this stream.
            bool tellPeer = !_released && _sessionEnd is null;
            _resetLocally = true;
            DropReceived();
            if (tellPeer)
            {
                _session.Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Rst, Id, 0);
            }

            release = TryMarkReleased();
        }

        ReleaseIf(release);
        WakeAll();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            bool release;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                bool alive = !_resetLocally && !_resetByPeer && _sessionEnd is null;
                if (!_localClosed && alive)
                {
                    _session.Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Fin, Id, 0);
                }

                _localClosed = true;

                // From now on inbound data is discarded; what is buffered counts as consumed, so the peer's
                // writer is not left waiting on a window nobody will open.
                DropReceived();
                if (alive)
                {
                    GrantWindowIfDue();
                }

                release = TryMarkReleased();
            }

            ReleaseIf(release);
            WakeAll();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadWhenAvailableAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (TryReadBuffered(buffer, park: true, out int read))
                {
                    return read;
                }

                try
                {
                    await _readable.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Bytes already copied into the caller's buffer must be returned, not lost to the cancellation.
                    if (UnparkRead() is > 0 and var filled)
                    {
                        return filled;
                    }

                    throw;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteRemainderAsync(ReadOnlyMemory<byte> remaining, CancellationToken cancellationToken)
    {
        try
        {
            while (!remaining.IsEmpty)
            {
                await _writable.WaitAsync(cancellationToken).ConfigureAwait(false);
                remaining = remaining[WriteWhatFits(remaining.Span)..];
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>
    /// Returns true with a result (bytes, or 0 at the peer's FIN), false when the caller must wait; with
    /// <paramref name="park"/> the buffer is then left for the reader loop to fill directly.
    /// </summary>
    private bool TryReadBuffered(Memory<byte> destination, bool park, out int read)
    {
        lock (_gate)
        {
            // Whatever the reader loop put into the parked buffer came before anything still in _received.
            int filled = _parkedFilled;
            _parkedRead = default;
            _parkedFilled = 0;
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_resetLocally || _resetByPeer)
            {
                throw ResetException();
            }

            if (filled > 0 || _received.Length > 0)
            {
                read = filled + _received.Read(destination.Span[filled..]);
                GrantWindowIfDue();
                return true;
            }

            if (_remoteClosed || destination.IsEmpty)
            {
                read = 0;
                return true;
            }

            if (_sessionEnd is not null)
            {
                throw new IOException($"Yamux stream {Id}: the session ended before the peer closed the stream.", _sessionEnd);
            }

            if (park)
            {
                _parkedRead = destination;
            }
        }

        read = 0;
        return false;
    }

    /// <summary>Takes the parked buffer back after a cancelled wait; returns the bytes already put into it.</summary>
    private int UnparkRead()
    {
        lock (_gate)
        {
            int filled = _parkedFilled;
            _parkedRead = default;
            _parkedFilled = 0;
            if (filled > 0)
            {
                GrantWindowIfDue();
            }

            return filled;
        }
    }

    /// <summary>Queues as many Data frames as window and batch room allow; returns the bytes taken.</summary>
    private int WriteWhatFits(ReadOnlySpan<byte> data)
    {
        int total = 0;
        while (total < data.Length)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_resetLocally || _resetByPeer)
                {
                    throw ResetException();
                }

                if (_localClosed)
                {
                    throw new IOException($"Yamux stream {Id}: the write side is closed.");
                }

                if (_sessionEnd is not null)
                {
                    throw new IOException($"Yamux stream {Id}: the session has ended.", _sessionEnd);
                }

                int allowed = (int)Math.Min(Math.Min(data.Length - total, _sendWindow.Available), _session.MaxDataFrame);
                if (allowed == 0)
                {
                    return total;
                }

                // Appended under the stream lock so a concurrent CloseWrite/Reset cannot put FIN/RST before it.
                int taken = _session.Writer.TryAppendData(Id, data.Slice(total, allowed), _writable);
                if (taken == 0)
                {
                    return total;
                }

                _sendWindow.Consume(taken);
                total += taken;
            }
        }

        return total;
    }

    private void CloseWrite()
    {
        bool release;
        lock (_gate)
        {
            if (_localClosed || _resetLocally || _resetByPeer || _sessionEnd is not null)
            {
                return;
            }

            _localClosed = true;
            _session.Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Fin, Id, 0);
            release = TryMarkReleased();
        }

        ReleaseIf(release);
        _writable.Set();
    }

    // Called under _gate after the application consumed bytes.
    private void GrantWindowIfDue()
    {
        if (_remoteClosed || _session.IsEnding)
        {
            return;
        }

        // Bytes in a parked buffer count as buffered until the application's read returns them.
        uint delta = _receiveWindow.NextUpdate(_received.Length + _parkedFilled, _session.RttTicks, Stopwatch.GetTimestamp());
        if (delta > 0)
        {
            _session.Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.None, Id, delta);
        }
    }

    // Called under _gate: unread bytes, including any already copied into a parked read, are thrown away.
    private void DropReceived()
    {
        _received.Clear();
        _parkedRead = default;
        _parkedFilled = 0;
    }

    // Called under _gate: the session forgets the stream once neither side can send on it any more.
    private bool TryMarkReleased()
    {
        bool reset = _resetLocally || _resetByPeer;
        if (_released || !(reset || (_localClosed && _remoteClosed)))
        {
            return false;
        }

        _released = true;
        return true;
    }

    private void ReleaseIf(bool release)
    {
        if (release)
        {
            _session.Release(this);
        }
    }

    private void WakeAll()
    {
        _readable.Set();
        _writable.Set();
    }

    private IOException ResetException() => _resetByPeer
        ? new IOException($"Yamux stream {Id} was reset by the peer.")
        : new IOException($"Yamux stream {Id} was reset.", _sessionEnd);
}
