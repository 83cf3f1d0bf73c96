namespace PhysarumSM.Libp2p.Protobuf;

/// <summary>Protobuf wire types this codec handles. Why only these: groups (3, 4) are deprecated and unused by libp2p.</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
