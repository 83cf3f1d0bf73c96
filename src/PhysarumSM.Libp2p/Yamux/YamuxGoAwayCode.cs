namespace PhysarumSM.Libp2p.Yamux;

/// <summary>The error code carried in the length field of a GoAway frame.</summary>
internal enum YamuxGoAwayCode : uint
{
    Normal = 0,
    ProtocolError = 1,
    InternalError = 2,
}
