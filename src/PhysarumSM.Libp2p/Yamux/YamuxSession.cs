using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Muxing;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// A yamux session: many streams over one secured connection. Why this shape: one reader loop dispatches frames
/// to streams and one writer loop coalesces their frames into large writes, so the connection is read and
/// written by exactly one task each and no stream can block another.
/// </summary>
public sealed partial class YamuxSession : IMuxedConnection
{
    private readonly Stream _connection;
    private readonly bool _isInitiator;
    private readonly ILogger _logger;
    private readonly int _initialWindow;
    private readonly int _maxWindow;
    private readonly int _maxInbound;
    private readonly int _maxOutbound;
    private readonly int _acceptBacklog;
    private readonly TimeSpan _keepAliveInterval;
    private readonly TimeSpan _pingTimeout;
    private readonly TimeSpan _drainTimeout;
    private long _lastInboundTimestamp;
    private readonly Lock _streamsGate = new();
    private readonly Dictionary<uint, YamuxStream> _streams = [];
    private readonly Channel<YamuxStream> _acceptQueue = Channel.CreateUnbounded<YamuxStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loopsStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextStreamId;
    private int _inboundCount;
    private int _outboundCount;
    private int _ending;
    private Exception? _endReason;
    private volatile bool _goAwaySent;
    private volatile bool _goAwayReceived;
    private Task _readerTask = Task.CompletedTask;
    private Task _writerTask = Task.CompletedTask;
    private Task _keepAliveTask = Task.CompletedTask;

    private YamuxSession(Stream connection, bool isInitiator, YamuxOptions options, ILogger logger)
    {
        _connection = connection;
        _isInitiator = isInitiator;
        _logger = logger;
        _initialWindow = options.InitialStreamWindow;
        _maxWindow = options.MaxStreamWindow;
        _maxInbound = options.MaxInboundStreams;
        _maxOutbound = options.MaxOutboundStreams;
        _acceptBacklog = options.AcceptBacklog;
        _keepAliveInterval = options.KeepAliveInterval;
        _pingTimeout = options.PingTimeout;
        _drainTimeout = options.WriteTimeout > TimeSpan.Zero && options.WriteTimeout < TimeSpan.FromSeconds(5)
            ? options.WriteTimeout
            : TimeSpan.FromSeconds(5);
        MaxDataFrame = options.MaxDataFrame;
        _nextStreamId = isInitiator ? 1u : 2u;
        _lastInboundTimestamp = Stopwatch.GetTimestamp();
        Writer = new YamuxFrameWriter(connection, options.WriteBatchSize, options.WriteTimeout, Counters, OnWriterFailed);
    }

    /// <summary>Completes when the session ends; faulted with the reason when it ended by an error.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Streams the session still tracks (open in at least one direction, including un-accepted ones).</summary>
    public int StreamCount
    {
        get
        {
            lock (_streamsGate)
            {
                return _streams.Count;
            }
        }
    }

    internal YamuxFrameWriter Writer { get; }

    internal YamuxSessionCounters Counters { get; } = new();

    internal int MaxDataFrame { get; }

    internal bool IsEnding => Volatile.Read(ref _ending) != 0;

    internal static YamuxSession Start(Stream connection, bool isInitiator, YamuxOptions options, ILogger logger)
    {
        var session = new YamuxSession(connection, isInitiator, options, logger);
        session.StartLoops();
        return session;
    }

    public ValueTask<MuxedStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<MuxedStream>(cancellationToken);
        }

        YamuxStream stream;
        lock (_streamsGate)
        {
            if (IsEnding)
            {
                return ValueTask.FromException<MuxedStream>(new IOException("The yamux session has ended; no new streams can be opened.", _endReason));
            }

            if (_goAwayReceived)
            {
                return ValueTask.FromException<MuxedStream>(new IOException("The peer sent GoAway: it accepts no new streams on this connection."));
            }

            if (_outboundCount >= _maxOutbound)
            {
                return ValueTask.FromException<MuxedStream>(new IOException($"Too many outbound yamux streams ({_outboundCount}); close some first."));
            }

            if (_nextStreamId > uint.MaxValue - 2)
            {
                return ValueTask.FromException<MuxedStream>(new IOException("Yamux stream ids are exhausted on this connection."));
            }

            stream = new YamuxStream(this, _nextStreamId, isInbound: false, _initialWindow, _maxWindow);
            _nextStreamId += 2;
            _streams.Add(stream.Id, stream);
            _outboundCount++;

            // Queued under the lock so SYNs leave in id order. Data may follow at once: no wait for the ACK.
            Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Syn, stream.Id, ExtraWindow);
        }

        return ValueTask.FromResult<MuxedStream>(stream);
    }

    public async ValueTask<MuxedStream> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var stream = await _acceptQueue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!stream.IsReset)
                {
                    return stream;
                }
            }
        }
        catch (ChannelClosedException)
        {
            throw new IOException("The yamux session has ended; no more inbound streams.", _endReason);
        }
    }

    /// <summary>
    /// Sends GoAway without closing: streams already open carry on, new inbound streams are refused with RST.
    /// Why: lets a node drain a connection before closing it.
    /// </summary>
    public ValueTask GoAwayAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SendGoAway(YamuxGoAwayCode.Normal);
        return ValueTask.CompletedTask;
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        SendGoAway(YamuxGoAwayCode.Normal);
        End(null, goAway: null, drain: true, resetStreams: false);
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The session had already ended by an error; closing it is still done.
        }
    }

    public async ValueTask DisposeAsync()
    {
        End(null, goAway: null, drain: false, resetStreams: true);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The reason is in Completion for whoever wants it; disposing never throws.
        }
    }

    /// <summary>Forgets a stream that can no longer carry frames either way.</summary>
    internal void Release(YamuxStream stream)
    {
        lock (_streamsGate)
        {
            if (_streams.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream))
            {
                _streams.Remove(stream.Id);
                if (stream.IsInbound)
                {
                    _inboundCount--;
                }
                else
                {
                    _outboundCount--;
                }
            }
        }
    }

    // A window above the spec's initial 256 KiB is announced as a delta in the SYN/ACK frame.
    private uint ExtraWindow => (uint)(_initialWindow - YamuxOptions.SpecInitialWindow);

    private void StartLoops()
    {
        // Task.Run: the loops must not run their first iterations on the caller's thread.
        _writerTask = Task.Run(Writer.RunAsync);
        _keepAliveTask = Task.Run(() => KeepAliveLoopAsync(_lifetime.Token));
        _readerTask = Task.Run(() => ReadLoopAsync(_lifetime.Token));
        _loopsStarted.SetResult();
    }

    private void SendGoAway(YamuxGoAwayCode code)
    {
        lock (_streamsGate)
        {
            if (_goAwaySent)
            {
                return;
            }

            _goAwaySent = true;
        }

        Writer.EnqueueControl(YamuxFrameType.GoAway, YamuxFrameFlags.None, 0, (uint)code);
    }

    private void OnWriterFailed(Exception reason) => End(reason, goAway: null, drain: false, resetStreams: false);

    /// <summary>
    /// Starts ending the session; idempotent and never blocks, so it is safe from any loop or lock.
    /// </summary>
    /// <param name="reason">Null for a clean end; otherwise what Completion faults with.</param>
    /// <param name="goAway">GoAway code to send first, if any.</param>
    /// <param name="drain">Flush queued frames (bounded by a timeout) before closing the connection.</param>
    /// <param name="resetStreams">Reset streams at once (local dispose) rather than leaving received bytes readable.</param>
    private void End(Exception? reason, YamuxGoAwayCode? goAway, bool drain, bool resetStreams)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            return;
        }

        _endReason = reason;
        switch (reason)
        {
            case null:
                YamuxLog.SessionClosed(_logger, drain ? "closed" : "disposed or connection ended");
                break;
            case Libp2pProtocolException protocol:
                YamuxLog.ProtocolViolation(_logger, protocol.Message);
                break;
            default:
                YamuxLog.SessionFailed(_logger, reason.Message);
                break;
        }

        if (goAway is { } code)
        {
            Writer.EnqueueControl(YamuxFrameType.GoAway, YamuxFrameFlags.None, 0, (uint)code);
        }

        _acceptQueue.Writer.TryComplete();
        _ = Task.Run(() => TeardownAsync(drain, resetStreams));
    }

    /// <summary>
    /// After a graceful close has flushed, keeps reading until the peer hangs up or goes quiet (bounded). Why: TCP
    /// closed with unread bytes in its receive buffer sends RST instead of FIN, and an RST makes the peer's kernel
    /// drop what we just flushed before its application read it.
    /// </summary>
    private async Task LingerUntilQuietAsync()
    {
        var quiet = TimeSpan.FromMilliseconds(100);
        long started = Stopwatch.GetTimestamp();
        while (!_readerTask.IsCompleted && Stopwatch.GetElapsedTime(started) < _drainTimeout)
        {
            var idle = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastInboundTimestamp));
            if (idle >= quiet)
            {
                return;
            }

            await Task.WhenAny(_readerTask, Task.Delay(quiet - idle)).ConfigureAwait(false);
        }
    }

    private async Task TeardownAsync(bool drain, bool resetStreams)
    {
        try
        {
            await _loopsStarted.Task.ConfigureAwait(false);
            Writer.Complete();
            if (drain)
            {
                try
                {
                    await _writerTask.WaitAsync(_drainTimeout).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The peer does not read; close anyway.
                }

                if (_endReason is null)
                {
                    await LingerUntilQuietAsync().ConfigureAwait(false);
                }
            }

            Writer.Abort();
            await _lifetime.CancelAsync().ConfigureAwait(false);
            try
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                YamuxLog.ConnectionDisposeFailed(_logger, ex);
            }

            var ended = _endReason is null
                ? new IOException("The yamux session was closed.")
                : new IOException("The yamux session ended: " + _endReason.Message, _endReason);
            YamuxStream[] streams;
            lock (_streamsGate)
            {
                streams = [.. _streams.Values];
                _streams.Clear();
                _inboundCount = 0;
                _outboundCount = 0;
            }

            foreach (var stream in streams)
            {
                stream.OnSessionEnded(ended, resetStreams);
            }

            // Streams that were never accepted: nobody will read them.
            while (_acceptQueue.Reader.TryRead(out var unaccepted))
            {
                unaccepted.OnSessionEnded(ended, reset: true);
            }

            FailPendingPing(ended);
            await Task.WhenAll(_readerTask, _writerTask, _keepAliveTask).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            YamuxLog.UnexpectedFailure(_logger, ex);
        }
        finally
        {
            if (_endReason is null)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(_endReason);

                // Marks the fault observed: a session nobody awaits must not raise UnobservedTaskException.
                _ = _completion.Task.Exception;
            }
        }
    }
}
