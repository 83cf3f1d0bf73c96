using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// A self-describing digest: <c>varint(code) ‖ varint(length) ‖ digest</c>. Why: peer IDs are multihashes
/// (identity for small keys, sha2-256 otherwise).
/// </summary>
public readonly record struct Multihash(ulong Code, ReadOnlyMemory<byte> Digest)
{
    /// <summary>Multicodec of the identity "hash" (the digest is the data itself).</summary>
    public const ulong IdentityCode = 0x00;

    /// <summary>Multicodec of sha2-256.</summary>
    public const ulong Sha256Code = 0x12;

    /// <summary>Wraps <paramref name="data"/> as an identity multihash.</summary>
    public static Multihash Identity(ReadOnlySpan<byte> data) => new(IdentityCode, data.ToArray());

    /// <summary>Hashes <paramref name="data"/> with SHA-256.</summary>
    public static Multihash Sha256(ReadOnlySpan<byte> data) => new(Sha256Code, SHA256.HashData(data));

    /// <summary>Number of bytes <see cref="ToBytes"/> produces.</summary>
    public int EncodedLength => Varint.GetLength(Code) + Varint.GetLength((ulong)Digest.Length) + Digest.Length;

    /// <summary>Parses a complete multihash; the input must hold exactly one.</summary>
    /// <exception cref="FormatException">Bad varint, or the digest length does not match the rest of the input.</exception>
    public static Multihash Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new FormatException("empty multihash");
        }
        var offset = 0;
        var code = Varint.ReadComplete(bytes, ref offset);
        var length = Varint.ReadComplete(bytes, ref offset);
        var remaining = bytes.Length - offset;
        if (length != (ulong)remaining)
        {
            throw new FormatException($"multihash declares a {length}-byte digest but {remaining} bytes follow");
        }
        return new Multihash(code, bytes[offset..].ToArray());
    }

    /// <summary>The binary multihash.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        var offset = Varint.Write(bytes, Code);
        offset += Varint.Write(bytes.AsSpan(offset), (ulong)Digest.Length);
        Digest.Span.CopyTo(bytes.AsSpan(offset));
        return bytes;
    }

    /// <summary>Compares code and digest contents (not memory identity).</summary>
    public bool Equals(Multihash other) => Code == other.Code && Digest.Span.SequenceEqual(other.Digest.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Code);
        hash.AddBytes(Digest.Span);
        return hash.ToHashCode();
    }
}
