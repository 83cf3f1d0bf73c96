using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// Noise CipherState for ChaChaPoly: a key and a 64-bit message counter. Why the BCL AEAD is built once per
/// key: it holds a native context, so per-message construction would allocate on every transport frame.
/// </summary>
/// <remarks>Not thread safe; each direction of a connection owns one.</remarks>
internal sealed class CipherState : IDisposable
{
    public const int KeySize = 32;
    public const int TagSize = 16;

    private ChaCha20Poly1305? _aead;
    private ulong _nonce;

    public CipherState()
    {
    }

    public CipherState(ReadOnlySpan<byte> key) => InitializeKey(key);

    public bool HasKey => _aead is not null;

    /// <summary>The next message counter (exposed for tests).</summary>
    public ulong Nonce => _nonce;

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        _nonce = 0;
    }

    /// <summary>
    /// Writes ciphertext ‖ tag (plaintext length + 16) to <paramref name="output"/>, or copies the plaintext when
    /// no key is set yet. Plaintext and output may start at the same address.
    /// </summary>
    public int EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        if (_aead is null)
        {
            plaintext.CopyTo(output);
            return plaintext.Length;
        }

        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        _aead.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), associatedData);
        return plaintext.Length + TagSize;
    }

    /// <summary>
    /// Authenticates and decrypts ciphertext ‖ tag into <paramref name="output"/> (may be the same address);
    /// false when the tag does not match. Without a key the input is copied through.
    /// </summary>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> output, out int written)
    {
        if (_aead is null)
        {
            ciphertextAndTag.CopyTo(output);
            written = ciphertextAndTag.Length;
            return true;
        }

        written = 0;
        if (ciphertextAndTag.Length < TagSize)
        {
            return false;
        }

        var length = ciphertextAndTag.Length - TagSize;
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertextAndTag[..length], ciphertextAndTag[length..], output[..length], associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        written = length;
        return true;
    }

    public void Dispose()
    {
        _aead?.Dispose();
        _aead = null;
    }

    /// <summary>12-byte nonce = 4 zero bytes ‖ counter (little-endian); 2^64−1 is reserved by Noise.</summary>
    private void NextNonce(Span<byte> nonce)
    {
        if (_nonce == ulong.MaxValue)
        {
            throw new Libp2pProtocolException("Noise nonce exhausted; the connection must be re-established.");
        }

        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], _nonce++);
    }
}
