using System.Buffers;
using System.Diagnostics;

namespace PhysarumSM.Libp2p.Yamux;

// The reader loop: parses frames from the connection and dispatches them to streams.
public sealed partial class YamuxSession
{
    // One Noise message carries at most 65519 plaintext bytes, so larger reads would rarely be filled.
    private const int ReadBufferSize = 64 * 1024;

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        // Streams may keep slices of the chunk queued (see YamuxStream.Deliver); it is only reused from the
        // front while nobody else holds it, otherwise the loop moves on to a fresh one.
        var chunk = ReceiveChunk.Rent(ReadBufferSize);
        var buffer = chunk.Array;
        int start = 0;
        int end = 0;
        try
        {
            while (true)
            {
                while (end - start < YamuxFrameHeader.Size)
                {
                    if (start > 0 || chunk.IsShared)
                    {
                        if (chunk.IsShared)
                        {
                            var fresh = ReceiveChunk.Rent(ReadBufferSize);
                            buffer.AsSpan(start, end - start).CopyTo(fresh.Array);
                            chunk.Release();
                            chunk = fresh;
                            buffer = fresh.Array;
                        }
                        else
                        {
                            buffer.AsSpan(start, end - start).CopyTo(buffer);
                        }

                        end -= start;
                        start = 0;
                    }

                    int n = await _connection.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref _lastInboundTimestamp, Stopwatch.GetTimestamp());
                    if (n == 0)
                    {
                        End(end == 0 ? null : new IOException("The connection ended in the middle of a yamux frame header."), goAway: null, drain: false, resetStreams: false);
                        return;
                    }

                    end += n;
                }

                var header = YamuxFrameHeader.Read(buffer.AsSpan(start, YamuxFrameHeader.Size));
                start += YamuxFrameHeader.Size;
                Counters.FramesRead++;
                if (header.FindViolation() is { } violation)
                {
                    throw new Libp2pProtocolException(violation);
                }

                switch (header.Type)
                {
                    case YamuxFrameType.Data:
                    case YamuxFrameType.WindowUpdate:
                        var stream = OnStreamFrame(header);
                        long remaining = header.Type == YamuxFrameType.Data ? header.Length : 0;
                        while (remaining > 0)
                        {
                            if (start == end)
                            {
                                if (chunk.IsShared)
                                {
                                    chunk.Release();
                                    chunk = ReceiveChunk.Rent(ReadBufferSize);
                                    buffer = chunk.Array;
                                }

                                start = 0;
                                end = await _connection.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                                Volatile.Write(ref _lastInboundTimestamp, Stopwatch.GetTimestamp());
                                if (end == 0)
                                {
                                    End(new IOException("The connection ended in the middle of a yamux Data frame."), goAway: null, drain: false, resetStreams: false);
                                    return;
                                }
                            }

                            int piece = (int)Math.Min(remaining, end - start);
                            stream?.Deliver(chunk, start, piece);
                            start += piece;
                            remaining -= piece;
                        }

                        if (stream is not null)
                        {
                            // Flags that end a stream apply after the payload they came with.
                            if ((header.Flags & YamuxFrameFlags.Fin) != 0)
                            {
                                stream.OnRemoteFin();
                            }

                            if ((header.Flags & YamuxFrameFlags.Rst) != 0)
                            {
                                stream.OnRemoteReset();
                            }
                        }

                        break;
                    case YamuxFrameType.Ping:
                        OnPing(header);
                        break;
                    case YamuxFrameType.GoAway:
                        if (!OnGoAway(header.Length))
                        {
                            return;
                        }

                        break;
                }
            }
        }
        catch (Exception) when (IsEnding)
        {
            // Teardown closed the connection under us; the session already has its reason.
        }
        catch (Libp2pProtocolException ex)
        {
            End(ex, YamuxGoAwayCode.ProtocolError, drain: true, resetStreams: false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            End(ex as IOException ?? new IOException("Reading from the connection failed: " + ex.Message, ex), goAway: null, drain: false, resetStreams: false);
        }
        catch (Exception ex)
        {
            YamuxLog.UnexpectedFailure(_logger, ex);
            End(new IOException("The yamux session failed unexpectedly: " + ex.Message, ex), YamuxGoAwayCode.InternalError, drain: true, resetStreams: false);
        }
        finally
        {
            chunk.Release();
        }
    }

    /// <summary>
    /// Applies a Data/WindowUpdate header: opens (or refuses) on SYN, checks the window, applies window deltas.
    /// Returns the stream the payload and FIN/RST flags go to, or null to skip them.
    /// </summary>
    private YamuxStream? OnStreamFrame(in YamuxFrameHeader header)
    {
        bool isData = header.Type == YamuxFrameType.Data;
        if (isData && header.Length > _maxWindow)
        {
            throw new Libp2pProtocolException($"Data frame of {header.Length} bytes on stream {header.StreamId} is larger than any window we grant ({_maxWindow})");
        }

        YamuxStream? stream;
        if ((header.Flags & YamuxFrameFlags.Syn) != 0)
        {
            stream = OpenInbound(header.StreamId);
            if (stream is null)
            {
                return null;
            }
        }
        else
        {
            lock (_streamsGate)
            {
                // Frames for unknown or already closed streams are skipped, as go and js do.
                if (!_streams.TryGetValue(header.StreamId, out stream))
                {
                    return null;
                }
            }
        }

        if (isData)
        {
            switch (stream.AdmitData(header.Length))
            {
                case ReceiveAdmission.WindowExceeded:
                    throw new Libp2pProtocolException($"the peer sent {header.Length} bytes on stream {header.StreamId} with {stream.DescribeReceiveWindow()}");
                case ReceiveAdmission.Discard:
                    if ((header.Flags & YamuxFrameFlags.Rst) != 0)
                    {
                        stream.OnRemoteReset();
                    }

                    return null;
            }
        }
        else if ((header.Flags & YamuxFrameFlags.Rst) == 0)
        {
            // With RST the length is an error code (go), not a window delta.
            stream.OnWindowUpdate(header.Length);
        }

        return stream;
    }

    private YamuxStream? OpenInbound(uint id)
    {
        // The dialer opens odd ids and the listener even ones, so the peer's ids have the parity we do not use.
        bool peerUsesOdd = !_isInitiator;
        if ((id % 2 == 1) != peerUsesOdd)
        {
            throw new Libp2pProtocolException($"SYN for stream {id} has our parity: both ends act as {(_isInitiator ? "dialer" : "listener")}");
        }

        string? refusal = null;
        YamuxStream? stream = null;
        lock (_streamsGate)
        {
            if (_streams.ContainsKey(id))
            {
                throw new Libp2pProtocolException($"duplicate SYN for live stream {id}");
            }

            if (_goAwaySent || IsEnding)
            {
                refusal = "we sent GoAway";
            }
            else if (_inboundCount >= _maxInbound)
            {
                refusal = $"{_inboundCount} inbound streams are open (limit {_maxInbound})";
            }
            else if (_acceptQueue.Reader.Count >= _acceptBacklog)
            {
                refusal = $"{_acceptBacklog} streams wait to be accepted (backlog limit)";
            }
            else
            {
                stream = new YamuxStream(this, id, isInbound: true, _initialWindow, _maxWindow);
                _streams.Add(id, stream);
                _inboundCount++;
                _acceptQueue.Writer.TryWrite(stream);

                // Acked at once: go blocks its opens once 256 of its streams wait for an ACK.
                Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Ack, id, ExtraWindow);
            }
        }

        if (refusal is not null)
        {
            Interlocked.Increment(ref Counters.StreamsRefused);
            YamuxLog.StreamRefused(_logger, id, refusal);
            Writer.EnqueueControl(YamuxFrameType.WindowUpdate, YamuxFrameFlags.Rst, id, 0);
        }

        return stream;
    }

    /// <summary>Returns false when the reader loop must stop (an error GoAway ends the session).</summary>
    private bool OnGoAway(uint code)
    {
        YamuxLog.GoAwayReceived(_logger, code);
        if (code == (uint)YamuxGoAwayCode.Normal)
        {
            _goAwayReceived = true;
            return true;
        }

        string meaning = code switch
        {
            (uint)YamuxGoAwayCode.ProtocolError => "protocol error",
            (uint)YamuxGoAwayCode.InternalError => "internal error",
            _ => $"code 0x{code:x}",
        };
        End(new IOException($"The peer ended the yamux session with GoAway ({meaning})."), goAway: null, drain: false, resetStreams: false);
        return false;
    }
}
