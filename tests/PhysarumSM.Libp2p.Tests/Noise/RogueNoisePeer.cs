using System.Security.Cryptography;
using PhysarumSM.Libp2p.Noise;

namespace PhysarumSM.Libp2p.Tests.Noise;

/// <summary>
/// A hand-driven Noise peer whose libp2p payload the test controls (other key types, bad signatures, garbage).
/// Why: NoiseSecurity only ever produces valid Ed25519 payloads, so failure paths need a peer that does not.
/// </summary>
internal static class RogueNoisePeer
{
    /// <summary>Builds the payload from this peer's static X25519 public key.</summary>
    public delegate byte[] PayloadBuilder(byte[] staticPublicKey);

    /// <summary>Answers as responder with the built payload; then reads message 3 if the initiator sends it.</summary>
    public static async Task RespondAsync(Stream stream, PayloadBuilder payload, CancellationToken cancellationToken)
    {
        using var staticKey = X25519KeyPair.Generate();
        using var handshake = new HandshakeState(false, staticKey, X25519KeyPair.Generate);
        handshake.ReadMessage(await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken));
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage(payload(staticKey.PublicKey)), cancellationToken);
        try
        {
            handshake.ReadMessage(await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken));
        }
        catch (EndOfStreamException)
        {
            // The side under test rejected us and hung up: expected.
        }
    }

    /// <summary>Dials as initiator with the built payload.</summary>
    public static async Task InitiateAsync(Stream stream, PayloadBuilder payload, CancellationToken cancellationToken)
    {
        using var staticKey = X25519KeyPair.Generate();
        using var handshake = new HandshakeState(true, staticKey, X25519KeyPair.Generate);
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage([]), cancellationToken);
        handshake.ReadMessage(await NoiseHandshakeFraming.ReadAsync(stream, cancellationToken));
        await NoiseHandshakeFraming.WriteAsync(stream, handshake.WriteMessage(payload(staticKey.PublicKey)), cancellationToken);
    }

    /// <summary>A payload for any key type: the PublicKey protobuf is written by hand (Type, then Data).</summary>
    public static byte[] Payload(int keyType, byte[] keyData, byte[] signature, params string[] muxers) =>
        new NoisePayload(KeyProtobuf(keyType, keyData), signature, muxers).Encode();

    public static byte[] KeyProtobuf(int keyType, byte[] keyData) =>
        [0x08, (byte)keyType, 0x12, .. Varint((ulong)keyData.Length), .. keyData];

    /// <summary>secp256k1 point in the 33-byte compressed SEC form libp2p uses.</summary>
    public static byte[] CompressedPoint(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        return [(byte)((q.Y![^1] & 1) == 0 ? 0x02 : 0x03), .. q.X!];
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
