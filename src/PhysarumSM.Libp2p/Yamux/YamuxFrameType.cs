namespace PhysarumSM.Libp2p.Yamux;

/// <summary>The type byte of a yamux frame header.</summary>
internal enum YamuxFrameType : byte
{
    Data = 0,
    WindowUpdate = 1,
    Ping = 2,
    GoAway = 3,
}
