using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>Shared decoder for the PublicKey/PrivateKey messages (same shape). Why: one strict place for both.</summary>
internal static class KeyProtobuf
{
    public static (KeyType Type, byte[] Data) Decode(ReadOnlySpan<byte> protobuf, string what)
    {
        if (protobuf.IsEmpty)
        {
            throw new FormatException($"{what} protobuf is empty");
        }
        var reader = new ProtoReader(protobuf);
        ulong? type = null;
        byte[]? data = null;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(field, wireType, WireType.Varint);
                    type = reader.ReadVarint();
                    break;
                case 2:
                    reader.Expect(field, wireType, WireType.LengthDelimited);
                    data = reader.ReadBytes().ToArray();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (type is null)
        {
            throw new FormatException($"{what} protobuf has no Type field");
        }
        if (data is null)
        {
            throw new FormatException($"{what} protobuf has no Data field");
        }
        if (type > (ulong)KeyType.Ecdsa)
        {
            throw new FormatException($"unknown key type {type} in {what} protobuf");
        }
        return ((KeyType)type.Value, data);
    }

    public static string Name(KeyType type) => type switch
    {
        KeyType.Rsa => "RSA",
        KeyType.Ed25519 => "Ed25519",
        KeyType.Secp256k1 => "Secp256k1",
        KeyType.Ecdsa => "ECDSA",
        _ => type.ToString(),
    };
}
