using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// The Noise_XX_25519_ChaChaPoly_SHA256 handshake state machine (three messages: e / e,ee,s,es / s,se).
/// Why only XX is coded: libp2p uses nothing else, and a fixed pattern keeps every length check explicit.
/// </summary>
/// <remarks>Knows nothing of framing or libp2p payloads; remote input errors raise <see cref="HandshakeException"/>.</remarks>
internal sealed class HandshakeState : IDisposable
{
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

    /// <summary>Largest Noise message (the u16 length prefix).</summary>
    public const int MaxMessageSize = 65535;

    private const int DhSize = X25519KeyPair.Size;
    private const int EncryptedKeySize = DhSize + CipherState.TagSize;

    private readonly SymmetricState _symmetric = new(ProtocolName);
    private readonly X25519KeyPair _static;
    private readonly Func<X25519KeyPair> _ephemeralFactory;
    private X25519KeyPair? _ephemeral;
    private byte[]? _remoteEphemeral;
    private int _messageIndex; // 0, 1, 2; 3 = complete

    public HandshakeState(bool isInitiator, X25519KeyPair staticKey, Func<X25519KeyPair> ephemeralFactory, ReadOnlySpan<byte> prologue = default)
    {
        IsInitiator = isInitiator;
        _static = staticKey;
        _ephemeralFactory = ephemeralFactory;
        _symmetric.MixHash(prologue);
    }

    public bool IsInitiator { get; }

    public bool IsComplete => _messageIndex == 3;

    /// <summary>The remote static X25519 key, known after message 2 (initiator) or 3 (responder).</summary>
    public byte[]? RemoteStaticKey { get; private set; }

    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>True when it is this side's turn to write.</summary>
    public bool IsMyTurnToWrite => !IsComplete && (_messageIndex % 2 == 0) == IsInitiator;

    /// <summary>Produces the next handshake message carrying <paramref name="payload"/>.</summary>
    public byte[] WriteMessage(ReadOnlySpan<byte> payload)
    {
        if (!IsMyTurnToWrite)
        {
            throw new InvalidOperationException("Not this side's turn to write a Noise handshake message.");
        }

        var parts = new List<byte[]>(3);
        switch (_messageIndex)
        {
            case 0: // -> e
                parts.Add(WriteEphemeral());
                break;
            case 1: // <- e, ee, s, es
                parts.Add(WriteEphemeral());
                MixDh(_ephemeral!, _remoteEphemeral!);
                parts.Add(_symmetric.EncryptAndHash(_static.PublicKey));
                MixDh(_static, _remoteEphemeral!);
                break;
            default: // -> s, se
                parts.Add(_symmetric.EncryptAndHash(_static.PublicKey));
                MixDh(_static, _remoteEphemeral!);
                break;
        }

        parts.Add(_symmetric.EncryptAndHash(payload));
        _messageIndex++;
        var message = parts.SelectMany(p => p).ToArray();
        if (message.Length > MaxMessageSize)
        {
            throw new InvalidOperationException($"Noise handshake message would be {message.Length} bytes; the limit is {MaxMessageSize}.");
        }

        return message;
    }

    /// <summary>Consumes the peer's next handshake message and returns its payload.</summary>
    /// <exception cref="HandshakeException">The message is malformed or does not authenticate.</exception>
    public byte[] ReadMessage(ReadOnlySpan<byte> message)
    {
        if (IsComplete || IsMyTurnToWrite)
        {
            throw new InvalidOperationException("Not this side's turn to read a Noise handshake message.");
        }

        if (message.Length > MaxMessageSize)
        {
            throw new HandshakeException($"Noise handshake message {_messageIndex + 1} is {message.Length} bytes; the limit is {MaxMessageSize}.");
        }

        byte[] payload;
        switch (_messageIndex)
        {
            case 0: // -> e
                RequireLength(message, DhSize);
                ReadEphemeral(message[..DhSize]);
                payload = _symmetric.DecryptAndHash(message[DhSize..], "payload of message 1");
                break;
            case 1: // <- e, ee, s, es
                RequireLength(message, DhSize + EncryptedKeySize + CipherState.TagSize);
                ReadEphemeral(message[..DhSize]);
                MixDh(_ephemeral!, _remoteEphemeral!);
                RemoteStaticKey = _symmetric.DecryptAndHash(message.Slice(DhSize, EncryptedKeySize), "responder's static key");
                MixDh(_ephemeral!, RemoteStaticKey);
                payload = _symmetric.DecryptAndHash(message[(DhSize + EncryptedKeySize)..], "responder's payload");
                break;
            default: // -> s, se
                RequireLength(message, EncryptedKeySize + CipherState.TagSize);
                RemoteStaticKey = _symmetric.DecryptAndHash(message[..EncryptedKeySize], "initiator's static key");
                MixDh(_ephemeral!, RemoteStaticKey);
                payload = _symmetric.DecryptAndHash(message[EncryptedKeySize..], "initiator's payload");
                break;
        }

        _messageIndex++;
        return payload;
    }

    /// <summary>Transport keys for this side: (send, receive). The initiator sends with k1.</summary>
    public (byte[] SendKey, byte[] ReceiveKey) Split()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("The Noise handshake is not complete.");
        }

        var (k1, k2) = _symmetric.Split();
        return IsInitiator ? (k1, k2) : (k2, k1);
    }

    public void Dispose()
    {
        _symmetric.Dispose();
        _ephemeral?.Dispose();
    }

    private byte[] WriteEphemeral()
    {
        _ephemeral = _ephemeralFactory();
        _symmetric.MixHash(_ephemeral.PublicKey);
        return _ephemeral.PublicKey;
    }

    private void ReadEphemeral(ReadOnlySpan<byte> key)
    {
        _remoteEphemeral = key.ToArray();
        _symmetric.MixHash(key);
    }

    private void MixDh(X25519KeyPair local, byte[] remote)
    {
        var shared = local.Agree(remote) ?? throw new HandshakeException("Noise handshake: the peer sent an invalid (low-order) X25519 key.");
        _symmetric.MixKey(shared);
        CryptographicOperations.ZeroMemory(shared);
    }

    private void RequireLength(ReadOnlySpan<byte> message, int minimum)
    {
        if (message.Length < minimum)
        {
            throw new HandshakeException($"Noise handshake message {_messageIndex + 1} is {message.Length} bytes; at least {minimum} are required.");
        }
    }
}
