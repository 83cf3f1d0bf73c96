using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Crypto;

/// <summary>
/// A remote peer's public key in libp2p's protobuf envelope. Why abstract: peers may use any of the four
/// key types; we verify all of them but only sign with Ed25519.
/// </summary>
public abstract class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _data;

    private protected PublicKey(byte[] data) => _data = data;

    /// <summary>The algorithm.</summary>
    public abstract KeyType Type { get; }

    /// <summary>The type-specific key bytes (the protobuf Data field).</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>
    /// Canonical protobuf: Type (always present, so RSA keeps <c>08 00</c>) then Data. Peer IDs are hashed
    /// over exactly these bytes.
    /// </summary>
    public byte[] ToProtobuf()
    {
        var writer = new ProtoWriter();
        writer.WriteVarint(1, (ulong)Type);
        writer.WriteBytes(2, _data);
        return writer.ToArray();
    }

    /// <summary>Decodes a PublicKey protobuf (fields in any order, unknown fields skipped).</summary>
    /// <exception cref="FormatException">Garbage, missing field, unknown type or a key invalid for its type.</exception>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var (type, data) = KeyProtobuf.Decode(protobuf, "public key");
        return type switch
        {
            KeyType.Ed25519 => Ed25519PublicKey.FromRaw(data),
            KeyType.Rsa => RsaPublicKey.FromSubjectPublicKeyInfo(data),
            KeyType.Secp256k1 => Secp256k1PublicKey.FromCompressed(data),
            KeyType.Ecdsa => EcdsaPublicKey.FromSubjectPublicKeyInfo(data),
            _ => throw new FormatException($"unknown key type {(int)type}"),
        };
    }

    /// <summary>Checks a signature made by the matching private key; false for any bad signature or input, never throws.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <inheritdoc />
    public bool Equals(PublicKey? other) => other is not null && Type == other.Type && _data.AsSpan().SequenceEqual(other._data);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PublicKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.AddBytes(_data);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} public key ({_data.Length} bytes)";

    public static bool operator ==(PublicKey? left, PublicKey? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PublicKey? left, PublicKey? right) => !(left == right);
}
