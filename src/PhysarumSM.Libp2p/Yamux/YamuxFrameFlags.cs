namespace PhysarumSM.Libp2p.Yamux;

/// <summary>The flag bits of a yamux frame header.</summary>
[Flags]
internal enum YamuxFrameFlags : ushort
{
    None = 0,
    Syn = 0x1,
    Ack = 0x2,
    Fin = 0x4,
    Rst = 0x8,
}
