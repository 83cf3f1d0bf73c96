namespace PhysarumSM.Libp2p.Yamux;

/// <summary>What a stream does with the payload of a Data frame announced to it.</summary>
internal enum ReceiveAdmission
{
    /// <summary>Within the window: buffer it.</summary>
    Accept,

    /// <summary>The stream no longer reads (reset, or the peer already sent FIN): skip the bytes.</summary>
    Discard,

    /// <summary>More than the peer was allowed to send: a protocol violation.</summary>
    WindowExceeded,
}
