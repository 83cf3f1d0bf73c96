using System.Buffers;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// The session's single outbound path: frames are appended to a bounded batch buffer and one loop writes each
/// batch to the underlying stream in one call. Why: the Noise layer frames and encrypts every write, so coalescing
/// many yamux frames (header and payload together) costs one write and a few Noise messages instead of one each.
/// Two buffers alternate (one being written, one filling), which bounds send-side memory; data writers wait for
/// room, while control frames never wait (see <see cref="EnqueueControl"/>) and small data frames have room of
/// their own (see <see cref="SmallDataFrame"/>).
/// </summary>
internal sealed class YamuxFrameWriter
{
    // Part of each batch buffer that bulk Data frames may not use: header-only frames and small Data frames. A peer
    // that makes us answer more than this while not reading what we send is flooding us.
    internal const int ControlSlack = 64 * 1024;

    // Data frames up to this payload may also use SmallDataSlack of the slack. Why: while many streams send bulk
    // data the batch refills right after every swap, and a waiting writer only gets room if it wins that race; a
    // 20-byte protocol reply (multistream, ping) then waited seconds behind megabytes of other streams' data.
    internal const int SmallDataFrame = 1024;

    // At most this much of the slack goes to small Data frames, so header-only frames always keep 48 KiB (~4000).
    internal const int SmallDataSlack = 16 * 1024;

    // A Data frame is not split to fit a nearly full batch below this size; the writer waits for the next batch.
    private const int MinPartialFrame = 4 * 1024;

    private readonly Stream _output;
    private readonly int _dataCapacity;
    private readonly int _batchSize;
    private readonly TimeSpan _writeTimeout;
    private readonly Action<Exception> _onFailure;
    private readonly YamuxSessionCounters _counters;
    private readonly Lock _gate = new();
    private readonly AsyncAutoResetEvent _framesQueued = new();
    private readonly List<AsyncAutoResetEvent> _spaceWaiters = [];
    private byte[] _filling;
    private byte[] _writing;
    private int _fillingLength;
    private bool _completed;
    private bool _aborted;
    private CancellationTokenSource _timeout = new();

    public YamuxFrameWriter(Stream output, int batchSize, TimeSpan writeTimeout, YamuxSessionCounters counters, Action<Exception> onFailure)
    {
        _output = output;
        _batchSize = batchSize;
        _dataCapacity = batchSize - ControlSlack;
        _writeTimeout = writeTimeout;
        _counters = counters;
        _onFailure = onFailure;
        _filling = ArrayPool<byte>.Shared.Rent(batchSize);
        _writing = ArrayPool<byte>.Shared.Rent(batchSize);
    }

    /// <summary>
    /// Queues a header-only frame without ever waiting. Why never: the reader loop sends these (ACK, RST, ping
    /// replies), and a reader that waited on the writer could deadlock two peers that both stopped reading.
    /// Silently dropped once the writer is completed; ends the session when the slack is exhausted.
    /// </summary>
    public void EnqueueControl(YamuxFrameType type, YamuxFrameFlags flags, uint streamId, uint length)
    {
        bool overflow = false;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (_fillingLength + YamuxFrameHeader.Size > _batchSize)
            {
                overflow = true;
            }
            else
            {
                YamuxFrameHeader.Write(_filling.AsSpan(_fillingLength), type, flags, streamId, length);
                _fillingLength += YamuxFrameHeader.Size;
            }
        }

        if (overflow)
        {
            _onFailure(new Libp2pProtocolException("the peer makes us queue frames (pings, stream opens) faster than it reads them"));
            return;
        }

        Interlocked.Increment(ref _counters.ControlFramesQueued);
        _framesQueued.Set();
    }

    /// <summary>
    /// Appends one Data frame with as much of <paramref name="payload"/> as fits; returns the payload bytes taken.
    /// 0 means the batch is full: <paramref name="waiter"/> is set when room appears. Throws once completed.
    /// </summary>
    public int TryAppendData(uint streamId, ReadOnlySpan<byte> payload, AsyncAutoResetEvent waiter)
    {
        int take;
        lock (_gate)
        {
            if (_completed)
            {
                throw new IOException("The yamux session is closing; no more data can be sent.");
            }

            int capacity = payload.Length <= SmallDataFrame ? _dataCapacity + SmallDataSlack : _dataCapacity;
            take = Math.Min(payload.Length, capacity - _fillingLength - YamuxFrameHeader.Size);
            if (take < Math.Min(payload.Length, MinPartialFrame))
            {
                _spaceWaiters.Add(waiter);
                return 0;
            }

            var destination = _filling.AsSpan(_fillingLength);
            YamuxFrameHeader.Write(destination, YamuxFrameType.Data, YamuxFrameFlags.None, streamId, (uint)take);
            payload[..take].CopyTo(destination[YamuxFrameHeader.Size..]);
            _fillingLength += YamuxFrameHeader.Size + take;
        }

        Interlocked.Increment(ref _counters.DataFramesQueued);
        _framesQueued.Set();
        return take;
    }

    /// <summary>Accepts no more frames; the loop flushes what is queued and ends.</summary>
    public void Complete() => Stop(abort: false);

    /// <summary>Accepts no more frames; the loop ends without flushing.</summary>
    public void Abort() => Stop(abort: true);

    /// <summary>The write loop. Never throws: failures go to the session's failure callback.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                await _framesQueued.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                while (true)
                {
                    byte[] batch;
                    int length;
                    lock (_gate)
                    {
                        if (_aborted)
                        {
                            return;
                        }

                        if (_fillingLength == 0)
                        {
                            if (_completed)
                            {
                                return;
                            }

                            break;
                        }

                        batch = _filling;
                        length = _fillingLength;
                        _filling = _writing;
                        _writing = batch;
                        _fillingLength = 0;
                        WakeSpaceWaiters();
                    }

                    await WriteBatchAsync(batch, length).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            _onFailure(ex is IOException ? ex : new IOException("Writing to the connection failed: " + ex.Message, ex));
        }
        finally
        {
            lock (_gate)
            {
                _completed = true;
                _aborted = true;
                WakeSpaceWaiters();
                ArrayPool<byte>.Shared.Return(_filling);
                ArrayPool<byte>.Shared.Return(_writing);
                _filling = [];
                _writing = [];
                _fillingLength = 0;
            }

            _timeout.Dispose();
        }
    }

    private async ValueTask WriteBatchAsync(byte[] batch, int length)
    {
        bool timed = _writeTimeout > TimeSpan.Zero;
        if (timed)
        {
            _timeout.CancelAfter(_writeTimeout);
        }

        try
        {
            await _output.WriteAsync(batch.AsMemory(0, length), _timeout.Token).ConfigureAwait(false);
            await _output.FlushAsync(_timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_timeout.IsCancellationRequested)
        {
            throw new IOException($"A write to the connection took longer than {_writeTimeout}.");
        }

        if (timed && !_timeout.TryReset())
        {
            // The timer fired just as the write finished; start afresh rather than reuse a cancelled source.
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }

        Interlocked.Increment(ref _counters.BatchesWritten);
        Interlocked.Add(ref _counters.BytesWritten, length);
    }

    private void Stop(bool abort)
    {
        lock (_gate)
        {
            _completed = true;
            _aborted |= abort;
            WakeSpaceWaiters();
        }

        _framesQueued.Set();
    }

    // Called under _gate.
    private void WakeSpaceWaiters()
    {
        foreach (var waiter in _spaceWaiters)
        {
            waiter.Set();
        }

        _spaceWaiters.Clear();
    }
}
