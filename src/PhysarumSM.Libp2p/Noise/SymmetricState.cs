using System.Security.Cryptography;
using System.Text;

namespace PhysarumSM.Libp2p.Noise;

/// <summary>
/// Noise SymmetricState (chaining key, handshake hash, cipher) for SHA-256. Why its own type: it is the
/// part of Noise that fixes the byte-exact transcript, so it is tested directly against the vectors.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    public const int HashSize = 32;

    private readonly byte[] _ck = new byte[HashSize];
    private readonly byte[] _h = new byte[HashSize];
    private readonly CipherState _cipher = new();

    public SymmetricState(string protocolName)
    {
        var name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= HashSize)
        {
            name.CopyTo(_h, 0); // shorter names are zero padded; ours is exactly 32 bytes
        }
        else
        {
            SHA256.HashData(name, _h);
        }

        _h.CopyTo(_ck, 0);
    }

    /// <summary>The handshake hash h.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _h;

    public bool HasKey => _cipher.HasKey;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_h);
        hash.AppendData(data);
        hash.GetHashAndReset(_h);
    }

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> key = stackalloc byte[HashSize];
        Hkdf(_ck, inputKeyMaterial, _ck, key);
        _cipher.InitializeKey(key);
        CryptographicOperations.ZeroMemory(key);
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + (_cipher.HasKey ? CipherState.TagSize : 0)];
        _cipher.EncryptWithAd(_h, plaintext, output);
        MixHash(output);
        return output;
    }

    /// <summary>Decrypts with h as associated data, then mixes the ciphertext into h.</summary>
    /// <exception cref="HandshakeException">Authentication failed.</exception>
    public byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext, string what)
    {
        var output = new byte[Math.Max(0, ciphertext.Length - (_cipher.HasKey ? CipherState.TagSize : 0))];
        if (!_cipher.TryDecryptWithAd(_h, ciphertext, output, out _))
        {
            throw new HandshakeException($"Noise handshake: could not decrypt the {what} (wrong keys or corrupted message).");
        }

        MixHash(ciphertext);
        return output;
    }

    /// <summary>The two transport keys: k1 (initiator → responder) and k2 (responder → initiator).</summary>
    public (byte[] K1, byte[] K2) Split()
    {
        var k1 = new byte[HashSize];
        var k2 = new byte[HashSize];
        Hkdf(_ck, [], k1, k2);
        return (k1, k2);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_ck);
        _cipher.Dispose();
    }

    /// <summary>Noise HKDF with two outputs (RFC 5869 with salt = chaining key and empty info).</summary>
    internal static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2)
    {
        Span<byte> prk = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize + 1];
        Span<byte> out1 = stackalloc byte[HashSize];
        HMACSHA256.HashData(chainingKey, inputKeyMaterial, prk);
        block[0] = 0x01;
        HMACSHA256.HashData(prk, block[..1], out1);
        out1.CopyTo(block);
        block[HashSize] = 0x02;
        HMACSHA256.HashData(prk, block, output2);
        out1.CopyTo(output1); // output1 may alias chainingKey, so it is written last
        CryptographicOperations.ZeroMemory(prk);
        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(out1);
    }
}
