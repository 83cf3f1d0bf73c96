namespace PhysarumSM.Libp2p.Yamux;

// What the session's reader loop (and teardown) does to a stream: data, window, FIN, RST, session end.
public sealed partial class YamuxStream
{
    internal ReceiveAdmission AdmitData(uint length)
    {
        lock (_gate)
        {
            if (_resetLocally || _resetByPeer || _remoteClosed)
            {
                return ReceiveAdmission.Discard;
            }

            return _receiveWindow.TryReceive(length) ? ReceiveAdmission.Accept : ReceiveAdmission.WindowExceeded;
        }
    }

    /// <summary>Receiver-side description of the window, for the protocol-violation message.</summary>
    internal string DescribeReceiveWindow()
    {
        lock (_gate)
        {
            return $"{_receiveWindow.Credit} bytes of credit left of a {_receiveWindow.Size}-byte window";
        }
    }

    // Slices at least this long are queued as references to the reader's chunk; shorter ones are copied, so a
    // stream holding many small pieces cannot pin many mostly unrelated 64 KiB chunks (at most 4x its window).
    private const int MinSharedSlice = 16 * 1024;

    /// <summary>Payload bytes <paramref name="chunk"/>[offset, offset + length) for this stream, from the reader loop.</summary>
    internal void Deliver(ReceiveChunk chunk, int offset, int length)
    {
        var payload = chunk.Array.AsSpan(offset, length);
        lock (_gate)
        {
            if (_resetLocally || _resetByPeer)
            {
                return;
            }

            if (_disposed)
            {
                GrantWindowIfDue();
                return;
            }

            // A waiting read gets the bytes directly; only data arriving ahead of the application is buffered.
            if (_received.Length == 0 && _parkedRead.Length > _parkedFilled)
            {
                int n = Math.Min(payload.Length, _parkedRead.Length - _parkedFilled);
                payload[..n].CopyTo(_parkedRead.Span[_parkedFilled..]);
                _parkedFilled += n;
                payload = payload[n..];
            }

            if (payload.Length >= MinSharedSlice)
            {
                _received.AppendShared(chunk, offset + (length - payload.Length), payload.Length);
            }
            else if (!payload.IsEmpty)
            {
                _received.Append(payload);
            }
        }

        _readable.Set();
    }

    internal void OnWindowUpdate(uint delta)
    {
        if (delta == 0)
        {
            return;
        }

        lock (_gate)
        {
            _sendWindow.Grant(delta);
        }

        _writable.Set();
    }

    internal void OnRemoteFin()
    {
        bool release;
        lock (_gate)
        {
            if (_remoteClosed || _resetLocally || _resetByPeer)
            {
                return;
            }

            _remoteClosed = true;
            release = TryMarkReleased();
        }

        ReleaseIf(release);
        _readable.Set();
    }

    internal void OnRemoteReset()
    {
        bool release;
        lock (_gate)
        {
            if (_resetLocally || _resetByPeer)
            {
                return;
            }

            _resetByPeer = true;
            DropReceived();
            release = TryMarkReleased();
        }

        ReleaseIf(release);
        WakeAll();
    }

    /// <summary>
    /// The session ended. With <paramref name="reset"/> (local dispose) the stream is reset at once; otherwise
    /// bytes already received stay readable (a peer's last reply before it hangs up is not lost).
    /// </summary>
    internal void OnSessionEnded(Exception reason, bool reset)
    {
        lock (_gate)
        {
            _sessionEnd ??= reason;
            _released = true;
            if (reset && !_resetByPeer && !(_localClosed && _remoteClosed))
            {
                _resetLocally = true;
                DropReceived();
            }
        }

        WakeAll();
    }
}
