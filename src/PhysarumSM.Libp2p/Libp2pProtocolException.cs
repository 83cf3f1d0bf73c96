namespace PhysarumSM.Libp2p;

/// <summary>
/// A peer broke a wire protocol (bad frame, bad handshake, limit exceeded). Why an IOException:
/// callers already treat I/O failures as "this connection is gone", which is exactly the handling wanted.
/// </summary>
public class Libp2pProtocolException : IOException
{
    public Libp2pProtocolException(string message) : base(message) { }
    public Libp2pProtocolException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The security handshake failed (wrong PSK, bad signature, unexpected peer ID, timeout).</summary>
public sealed class HandshakeException : Libp2pProtocolException
{
    public HandshakeException(string message) : base(message) { }
    public HandshakeException(string message, Exception inner) : base(message, inner) { }
}
