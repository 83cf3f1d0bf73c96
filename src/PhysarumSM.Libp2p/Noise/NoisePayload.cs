using System.Text;
using PhysarumSM.Libp2p.Protobuf;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// The libp2p handshake payload (NoiseHandshakePayload) carried encrypted in messages 2 and 3. Why a record:
/// it is plain data; signing and verification live in <see cref="NoiseSecurity"/>.
/// </summary>
/// <param name="IdentityKey">The sender's identity key as a PublicKey protobuf.</param>
/// <param name="IdentitySignature">Signature over <see cref="SignedData"/> with the identity key.</param>
/// <param name="StreamMuxers">extensions.stream_muxers; empty when absent.</param>
internal sealed record NoisePayload(byte[] IdentityKey, byte[] IdentitySignature, IReadOnlyList<string> StreamMuxers)
{
    /// <summary>go ignores longer lists; we treat one as a broken peer.</summary>
    public const int MaxStreamMuxers = 100;

    private const int IdentityKeyField = 1;
    private const int IdentitySignatureField = 2;
    private const int ExtensionsField = 4;
    private const int StreamMuxersField = 2;

    private static readonly byte[] SignaturePrefix = Encoding.ASCII.GetBytes("noise-libp2p-static-key:");

    /// <summary>The signed bytes: "noise-libp2p-static-key:" ‖ the sender's static X25519 public key.</summary>
    public static byte[] SignedData(ReadOnlySpan<byte> staticPublicKey) => [.. SignaturePrefix, .. staticPublicKey];

    /// <summary>Encodes fields in number order (1, 2, 4) like go and js; extensions only when muxers are listed.</summary>
    public byte[] Encode()
    {
        var writer = new ProtoWriter();
        writer.WriteBytes(IdentityKeyField, IdentityKey);
        writer.WriteBytes(IdentitySignatureField, IdentitySignature);
        if (StreamMuxers.Count > 0)
        {
            var extensions = new ProtoWriter();
            foreach (var muxer in StreamMuxers)
            {
                extensions.WriteString(StreamMuxersField, muxer);
            }

            writer.WriteBytes(ExtensionsField, extensions.WrittenSpan);
        }

        return writer.ToArray();
    }

    /// <summary>Decodes a payload; unknown fields are skipped.</summary>
    /// <exception cref="HandshakeException">Malformed protobuf or a required field missing.</exception>
    public static NoisePayload Decode(ReadOnlySpan<byte> bytes)
    {
        byte[]? key = null;
        byte[]? signature = null;
        var muxers = new List<string>();
        try
        {
            var reader = new ProtoReader(bytes);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                switch (field)
                {
                    case IdentityKeyField:
                        reader.Expect(field, wireType, WireType.LengthDelimited);
                        key = reader.ReadBytes().ToArray();
                        break;
                    case IdentitySignatureField:
                        reader.Expect(field, wireType, WireType.LengthDelimited);
                        signature = reader.ReadBytes().ToArray();
                        break;
                    case ExtensionsField:
                        reader.Expect(field, wireType, WireType.LengthDelimited);
                        ReadExtensions(reader.ReadBytes(), muxers);
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }
        }
        catch (FormatException e)
        {
            throw new HandshakeException($"Noise handshake: the peer's payload is not a valid NoiseHandshakePayload ({e.Message}).", e);
        }

        if (key is null || key.Length == 0)
        {
            throw new HandshakeException("Noise handshake: the peer's payload has no identity_key.");
        }

        if (signature is null || signature.Length == 0)
        {
            throw new HandshakeException("Noise handshake: the peer's payload has no identity_sig.");
        }

        return new NoisePayload(key, signature, muxers);
    }

    private static void ReadExtensions(ReadOnlySpan<byte> bytes, List<string> muxers)
    {
        var reader = new ProtoReader(bytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == StreamMuxersField)
            {
                reader.Expect(field, wireType, WireType.LengthDelimited);
                if (muxers.Count == MaxStreamMuxers)
                {
                    throw new HandshakeException($"Noise handshake: the peer lists more than {MaxStreamMuxers} stream muxers.");
                }

                muxers.Add(reader.ReadString());
            }
            else
            {
                // webtransport_certhashes (field 1) is meaningless over TCP; skipped like unknown fields.
                reader.Skip(wireType);
            }
        }
    }
}
