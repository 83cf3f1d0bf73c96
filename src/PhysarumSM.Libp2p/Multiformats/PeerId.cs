using System.Diagnostics.CodeAnalysis;
using PhysarumSM.Libp2p.Crypto;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// A libp2p peer identity: the multihash of the peer's canonical public-key protobuf. Why a type:
/// the wire carries bytes, humans see base58/CID text, and both must compare by value.
/// </summary>
public sealed class PeerId : IEquatable<PeerId>
{
    /// <summary>Keys whose protobuf is at most this long are inlined (identity multihash).</summary>
    public const int MaxInlineKeyLength = 42;

    // Longest legitimate text: a base16 CID of a 44-byte identity multihash is 93 characters.
    private const int MaxTextLength = 128;

    private readonly byte[] _bytes;
    private string? _text;

    private PeerId(byte[] bytes) => _bytes = bytes;

    /// <summary>The binary multihash (what multiaddr /p2p/ and protobufs carry).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The decoded multihash.</summary>
    public Multihash Multihash => Multihash.Decode(_bytes);

    /// <summary>Derives the ID of <paramref name="publicKey"/> (identity multihash if ≤ 42 bytes, else sha2-256).</summary>
    public static PeerId FromPublicKey(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var protobuf = publicKey.ToProtobuf();
        var multihash = protobuf.Length <= MaxInlineKeyLength ? Multihash.Identity(protobuf) : Multihash.Sha256(protobuf);
        return new PeerId(multihash.ToBytes());
    }

    /// <summary>Accepts an identity multihash or a 32-byte sha2-256 multihash.</summary>
    /// <exception cref="FormatException">Any other multihash or malformed bytes.</exception>
    public static PeerId FromBytes(ReadOnlySpan<byte> bytes)
    {
        var multihash = Multihash.Decode(bytes);
        switch (multihash.Code)
        {
            case Multihash.IdentityCode when multihash.Digest.Length == 0:
                throw new FormatException("peer ID identity multihash is empty");
            case Multihash.IdentityCode when multihash.Digest.Length > MaxInlineKeyLength:
                // Canonical IDs inline only keys of at most 42 bytes (js rejects the rest); the cap also bounds text conversion cost.
                throw new FormatException($"peer ID identity multihash holds {multihash.Digest.Length} bytes; at most {MaxInlineKeyLength} are inlined");
            case Multihash.IdentityCode:
                break;
            case Multihash.Sha256Code when multihash.Digest.Length != 32:
                throw new FormatException($"peer ID sha2-256 multihash has a {multihash.Digest.Length}-byte digest (need 32)");
            case Multihash.Sha256Code:
                break;
            default:
                throw new FormatException($"peer ID multihash code 0x{multihash.Code:x} is not identity (0x00) or sha2-256 (0x12)");
        }
        return new PeerId(bytes.ToArray());
    }

    /// <summary>Parses base58btc (<c>12D3KooW…</c>, <c>Qm…</c>, <c>16Uiu…</c>) or a multibase libp2p-key CIDv1 (<c>bafz…</c>).</summary>
    /// <exception cref="FormatException">Not a peer ID; the message says why.</exception>
    public static PeerId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new FormatException("empty peer ID");
        }
        if (text.Length > MaxTextLength)
        {
            throw new FormatException($"peer ID text is {text.Length} characters; too long (no valid form exceeds {MaxTextLength})");
        }
        byte[] multihash;
        // Spec rule: '1…' and 'Qm…' are bare base58btc multihashes, anything else is a multibase CID.
        if (text[0] == '1' || text.StartsWith("Qm", StringComparison.Ordinal))
        {
            if (!Base58.TryDecode(text, out multihash))
            {
                throw new FormatException($"peer ID '{Base58.Shorten(text)}' is not valid base58btc");
            }
        }
        else
        {
            multihash = LibP2pKeyCid.ParseMultihash(text);
        }
        try
        {
            return FromBytes(multihash);
        }
        catch (FormatException e)
        {
            throw new FormatException($"peer ID '{Base58.Shorten(text)}': {e.Message}", e);
        }
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PeerId? peerId)
    {
        if (text is not null)
        {
            try
            {
                peerId = Parse(text);
                return true;
            }
            catch (FormatException)
            {
            }
        }
        peerId = null;
        return false;
    }

    /// <summary>Like <see cref="FromBytes"/> but returns false instead of throwing.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PeerId? peerId)
    {
        try
        {
            peerId = FromBytes(bytes);
            return true;
        }
        catch (FormatException)
        {
            peerId = null;
            return false;
        }
    }

    /// <summary>The inlined public key, or null for sha2-256 IDs and undecodable identity digests.</summary>
    public PublicKey? TryGetPublicKey()
    {
        if (_bytes[0] != Multihash.IdentityCode)
        {
            return null;
        }
        var multihash = Multihash;
        try
        {
            return PublicKey.FromProtobuf(multihash.Digest.Span);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="publicKey"/> hashes to this ID.</summary>
    public bool Matches(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Equals(FromPublicKey(publicKey));
    }

    /// <summary>Base58btc of the multihash (the form go and js print).</summary>
    public override string ToString() => _text ??= Base58.Encode(_bytes);

    /// <summary>Multibase base32 CIDv1 (codec libp2p-key), e.g. <c>bafzaa…</c>.</summary>
    public string ToCidString() => LibP2pKeyCid.Format(_bytes);

    /// <inheritdoc />
    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(PeerId? left, PeerId? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PeerId? left, PeerId? right) => !(left == right);
}
