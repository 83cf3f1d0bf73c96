using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// XSalsa20 keystream cipher (HSalsa20 subkey, then Salsa20/20 with a 64-bit little-endian block
/// counter from 0). Why our own: the BCL has no Salsa20, and pnet needs a keystream that continues
/// across calls of any size, which a per-call native API does not offer.
/// </summary>
/// <remarks>Not thread safe: pnet uses one instance per direction.</remarks>
public sealed class XSalsa20 : IDisposable
{
    public const int KeySize = 32;
    public const int NonceSize = 24;

    private const int WideBytes = Salsa20Core.BlockSize * Salsa20Core.WideBlocks;

    private readonly uint[] _state = new uint[16];
    // Keystream generated ahead for tails and small calls; one wide step fills it.
    private readonly byte[] _keystream = new byte[WideBytes];
    private ulong _counter; // next block to generate
    private int _keystreamOffset = WideBytes; // unused bytes of _keystream start here

    public XSalsa20(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"XSalsa20 key must be {KeySize} bytes.", nameof(key));
        }

        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"XSalsa20 nonce must be {NonceSize} bytes.", nameof(nonce));
        }

        Span<byte> subkey = stackalloc byte[KeySize];
        Salsa20Core.HSalsa20(key, nonce[..16], subkey);
        Salsa20Core.InitState(_state, subkey, nonce[16..]);
        CryptographicOperations.ZeroMemory(subkey);
    }

    /// <summary>
    /// XORs the next <c>input.Length</c> keystream bytes into <paramref name="input"/>, writing
    /// <paramref name="output"/> (same length; may be the same memory as the input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop of every pnet byte; skip tier 0 (see XorWide)
    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("Output is shorter than input.", nameof(output));
        }

        if (input.Overlaps(output, out var offset) && offset != 0)
        {
            throw new ArgumentException("Input and output may only overlap exactly.", nameof(output));
        }

        // 1. Use keystream left over by the previous call.
        var leftover = WideBytes - _keystreamOffset;
        if (leftover > 0)
        {
            var n = Math.Min(leftover, input.Length);
            XorInto(input[..n], _keystream.AsSpan(_keystreamOffset, n), output);
            _keystreamOffset += n;
            input = input[n..];
            output = output[n..];
        }

        // 2. Whole 8-block steps straight from input to output.
        while (input.Length >= WideBytes)
        {
            XorStep(input, output);
            input = input[WideBytes..];
            output = output[WideBytes..];
        }

        // 3. A tail: generate one more step of keystream and keep the unused part for the next call.
        if (input.Length > 0)
        {
            _keystream.AsSpan().Clear();
            XorStep(_keystream, _keystream);
            XorInto(input, _keystream, output);
            _keystreamOffset = input.Length;
        }
    }

    /// <summary>Transforms <paramref name="buffer"/> in place.</summary>
    public void Transform(Span<byte> buffer) => Transform(buffer, buffer);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_state.AsSpan()));
        CryptographicOperations.ZeroMemory(_keystream);
    }

    /// <summary>XORs the next 8 blocks of keystream into 512 bytes of input.</summary>
    private void XorStep(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (Salsa20Core.WideSupported)
        {
            Salsa20Core.XorWide(_state, _counter, input, output);
            _counter += Salsa20Core.WideBlocks;
            return;
        }

        Span<byte> block = stackalloc byte[Salsa20Core.BlockSize];
        for (var i = 0; i < Salsa20Core.WideBlocks; i++)
        {
            var offset = i * Salsa20Core.BlockSize;
            Salsa20Core.Block(_state, _counter++, block);
            XorInto(input.Slice(offset, Salsa20Core.BlockSize), block, output[offset..]);
        }

        CryptographicOperations.ZeroMemory(block);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void XorInto(ReadOnlySpan<byte> input, ReadOnlySpan<byte> keystream, Span<byte> output)
    {
        var i = 0;
        for (; i + Vector256<byte>.Count <= input.Length; i += Vector256<byte>.Count)
        {
            (Vector256.Create(input[i..]) ^ Vector256.Create(keystream[i..])).CopyTo(output[i..]);
        }

        for (; i + Vector128<byte>.Count <= input.Length; i += Vector128<byte>.Count)
        {
            (Vector128.Create(input[i..]) ^ Vector128.Create(keystream[i..])).CopyTo(output[i..]);
        }

        for (; i < input.Length; i++)
        {
            output[i] = (byte)(input[i] ^ keystream[i]);
        }
    }
}
