using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PhysarumSM.Libp2p.Pnet;

/// <summary>
/// The Salsa20/20 block function and HSalsa20. Why a separate type: XSalsa20 needs both, and the
/// wide (8-block AVX2) path is the hot loop of every pnet byte, so it is kept apart from stream bookkeeping.
/// </summary>
internal static class Salsa20Core
{
    public const int BlockSize = 64;

    /// <summary>Blocks produced per call of the AVX2 path.</summary>
    public const int WideBlocks = 8;

    private const uint Sigma0 = 0x61707865; // "expa"
    private const uint Sigma1 = 0x3320646e; // "nd 3"
    private const uint Sigma2 = 0x79622d32; // "2-by"
    private const uint Sigma3 = 0x6b206574; // "te k"

    public static bool WideSupported => Avx2.IsSupported;

    /// <summary>Builds the 16-word Salsa20 input state; words 8 and 9 (the counter) are set per block.</summary>
    public static void InitState(Span<uint> state, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce8)
    {
        state[0] = Sigma0;
        state[1] = BinaryPrimitives.ReadUInt32LittleEndian(key);
        state[2] = BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
        state[3] = BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
        state[4] = BinaryPrimitives.ReadUInt32LittleEndian(key[12..]);
        state[5] = Sigma1;
        state[6] = BinaryPrimitives.ReadUInt32LittleEndian(nonce8);
        state[7] = BinaryPrimitives.ReadUInt32LittleEndian(nonce8[4..]);
        state[8] = 0;
        state[9] = 0;
        state[10] = Sigma2;
        state[11] = BinaryPrimitives.ReadUInt32LittleEndian(key[16..]);
        state[12] = BinaryPrimitives.ReadUInt32LittleEndian(key[20..]);
        state[13] = BinaryPrimitives.ReadUInt32LittleEndian(key[24..]);
        state[14] = BinaryPrimitives.ReadUInt32LittleEndian(key[28..]);
        state[15] = Sigma3;
    }

    /// <summary>HSalsa20: derives the XSalsa20 subkey from the key and the first 16 nonce bytes.</summary>
    public static void HSalsa20(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce16, Span<byte> subkey)
    {
        Span<uint> x = stackalloc uint[16];
        InitState(x, key, nonce16);
        x[8] = BinaryPrimitives.ReadUInt32LittleEndian(nonce16[8..]);
        x[9] = BinaryPrimitives.ReadUInt32LittleEndian(nonce16[12..]);
        Rounds(x);
        // HSalsa20 outputs the diagonal and the nonce positions, without the feed-forward addition.
        BinaryPrimitives.WriteUInt32LittleEndian(subkey, x[0]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[4..], x[5]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[8..], x[10]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[12..], x[15]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[16..], x[6]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[20..], x[7]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[24..], x[8]);
        BinaryPrimitives.WriteUInt32LittleEndian(subkey[28..], x[9]);
    }

    /// <summary>One 64-byte keystream block for <paramref name="counter"/>.</summary>
    public static void Block(ReadOnlySpan<uint> state, ulong counter, Span<byte> output)
    {
        Span<uint> x = stackalloc uint[16];
        state.CopyTo(x);
        x[8] = (uint)counter;
        x[9] = (uint)(counter >> 32);
        Rounds(x);
        for (var i = 0; i < 16; i++)
        {
            var input = i == 8 ? (uint)counter : i == 9 ? (uint)(counter >> 32) : state[i];
            BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * i)..], x[i] + input);
        }
    }

    private static void Rounds(Span<uint> s)
    {
        uint x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
        uint x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = s[12], x13 = s[13], x14 = s[14], x15 = s[15];
        for (var i = 0; i < 10; i++)
        {
            // Column round.
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7); x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13); x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7); x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13); x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7); x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13); x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7); x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13); x15 ^= BitOperations.RotateLeft(x11 + x7, 18);
            // Row round.
            x1 ^= BitOperations.RotateLeft(x0 + x3, 7); x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13); x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7); x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13); x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7); x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13); x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7); x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13); x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }

        s[0] = x0; s[1] = x1; s[2] = x2; s[3] = x3; s[4] = x4; s[5] = x5; s[6] = x6; s[7] = x7;
        s[8] = x8; s[9] = x9; s[10] = x10; s[11] = x11; s[12] = x12; s[13] = x13; s[14] = x14; s[15] = x15;
    }

    /// <summary>
    /// XORs 8 consecutive blocks (512 bytes) of keystream starting at <paramref name="counter"/> into
    /// <paramref name="input"/> → <paramref name="output"/>. Each vector lane holds one block's word,
    /// so the rounds run on 8 blocks at once; a transpose turns lanes back into block order.
    /// </summary>
    // Fully optimized from the first call: at tier 0 this vector code runs many times slower, and a pnet
    // connection pushes hundreds of MB through it before tiering would catch up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void XorWide(ReadOnlySpan<uint> state, ulong counter, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var j0 = Vector256.Create(state[0]); var j1 = Vector256.Create(state[1]);
        var j2 = Vector256.Create(state[2]); var j3 = Vector256.Create(state[3]);
        var j4 = Vector256.Create(state[4]); var j5 = Vector256.Create(state[5]);
        var j6 = Vector256.Create(state[6]); var j7 = Vector256.Create(state[7]);
        var j10 = Vector256.Create(state[10]); var j11 = Vector256.Create(state[11]);
        var j12 = Vector256.Create(state[12]); var j13 = Vector256.Create(state[13]);
        var j14 = Vector256.Create(state[14]); var j15 = Vector256.Create(state[15]);

        // 64-bit counters counter..counter+7, split into low and high words with carry.
        var baseLow = Vector256.Create((uint)counter);
        var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var j8 = baseLow + lanes;
        var carry = Vector256.LessThan(j8, baseLow); // all-ones where the low word wrapped
        var j9 = Vector256.Create((uint)(counter >> 32)) - carry;

        var x0 = j0; var x1 = j1; var x2 = j2; var x3 = j3; var x4 = j4; var x5 = j5; var x6 = j6; var x7 = j7;
        var x8 = j8; var x9 = j9; var x10 = j10; var x11 = j11; var x12 = j12; var x13 = j13; var x14 = j14; var x15 = j15;

        for (var i = 0; i < 10; i++)
        {
            x4 ^= Rotl(x0 + x12, 7); x8 ^= Rotl(x4 + x0, 9); x12 ^= Rotl(x8 + x4, 13); x0 ^= Rotl(x12 + x8, 18);
            x9 ^= Rotl(x5 + x1, 7); x13 ^= Rotl(x9 + x5, 9); x1 ^= Rotl(x13 + x9, 13); x5 ^= Rotl(x1 + x13, 18);
            x14 ^= Rotl(x10 + x6, 7); x2 ^= Rotl(x14 + x10, 9); x6 ^= Rotl(x2 + x14, 13); x10 ^= Rotl(x6 + x2, 18);
            x3 ^= Rotl(x15 + x11, 7); x7 ^= Rotl(x3 + x15, 9); x11 ^= Rotl(x7 + x3, 13); x15 ^= Rotl(x11 + x7, 18);

            x1 ^= Rotl(x0 + x3, 7); x2 ^= Rotl(x1 + x0, 9); x3 ^= Rotl(x2 + x1, 13); x0 ^= Rotl(x3 + x2, 18);
            x6 ^= Rotl(x5 + x4, 7); x7 ^= Rotl(x6 + x5, 9); x4 ^= Rotl(x7 + x6, 13); x5 ^= Rotl(x4 + x7, 18);
            x11 ^= Rotl(x10 + x9, 7); x8 ^= Rotl(x11 + x10, 9); x9 ^= Rotl(x8 + x11, 13); x10 ^= Rotl(x9 + x8, 18);
            x12 ^= Rotl(x15 + x14, 7); x13 ^= Rotl(x12 + x15, 9); x14 ^= Rotl(x13 + x12, 13); x15 ^= Rotl(x14 + x13, 18);
        }

        x0 += j0; x1 += j1; x2 += j2; x3 += j3; x4 += j4; x5 += j5; x6 += j6; x7 += j7;
        x8 += j8; x9 += j9; x10 += j10; x11 += j11; x12 += j12; x13 += j13; x14 += j14; x15 += j15;

        // After the transpose, lo[b] = words 0..7 of block b and hi[b] = words 8..15.
        Transpose8(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7);
        Transpose8(ref x8, ref x9, ref x10, ref x11, ref x12, ref x13, ref x14, ref x15);

        ref var src = ref Unsafe.As<byte, Vector256<uint>>(ref Unsafe.AsRef(in input[0]));
        ref var dst = ref Unsafe.As<byte, Vector256<uint>>(ref output[0]);
        XorStore(ref src, ref dst, 0, x0, x8);
        XorStore(ref src, ref dst, 2, x1, x9);
        XorStore(ref src, ref dst, 4, x2, x10);
        XorStore(ref src, ref dst, 6, x3, x11);
        XorStore(ref src, ref dst, 8, x4, x12);
        XorStore(ref src, ref dst, 10, x5, x13);
        XorStore(ref src, ref dst, 12, x6, x14);
        XorStore(ref src, ref dst, 14, x7, x15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(ref Vector256<uint> src, ref Vector256<uint> dst, int index, Vector256<uint> lo, Vector256<uint> hi)
    {
        // Read both halves before writing: input and output may be the same buffer.
        var a = Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<Vector256<uint>, byte>(ref Unsafe.Add(ref src, index)));
        var b = Unsafe.ReadUnaligned<Vector256<uint>>(ref Unsafe.As<Vector256<uint>, byte>(ref Unsafe.Add(ref src, index + 1)));
        Unsafe.WriteUnaligned(ref Unsafe.As<Vector256<uint>, byte>(ref Unsafe.Add(ref dst, index)), a ^ lo);
        Unsafe.WriteUnaligned(ref Unsafe.As<Vector256<uint>, byte>(ref Unsafe.Add(ref dst, index + 1)), b ^ hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotl(Vector256<uint> v, [ConstantExpected] byte n)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.RotateLeft(v, n);
        }

        return Vector256.ShiftLeft(v, n) | Vector256.ShiftRightLogical(v, 32 - n);
    }

    /// <summary>8×8 transpose of 32-bit words: row r lane b → row b lane r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(
        ref Vector256<uint> r0, ref Vector256<uint> r1, ref Vector256<uint> r2, ref Vector256<uint> r3,
        ref Vector256<uint> r4, ref Vector256<uint> r5, ref Vector256<uint> r6, ref Vector256<uint> r7)
    {
        // Interleave 32-bit words within 128-bit halves.
        var t0 = Avx2.UnpackLow(r0, r1);
        var t1 = Avx2.UnpackHigh(r0, r1);
        var t2 = Avx2.UnpackLow(r2, r3);
        var t3 = Avx2.UnpackHigh(r2, r3);
        var t4 = Avx2.UnpackLow(r4, r5);
        var t5 = Avx2.UnpackHigh(r4, r5);
        var t6 = Avx2.UnpackLow(r6, r7);
        var t7 = Avx2.UnpackHigh(r6, r7);

        // Interleave 64-bit pairs: each 128-bit half now holds 4 consecutive words of one block.
        var u0 = Avx2.UnpackLow(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var u1 = Avx2.UnpackHigh(t0.AsUInt64(), t2.AsUInt64()).AsUInt32();
        var u2 = Avx2.UnpackLow(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        var u3 = Avx2.UnpackHigh(t1.AsUInt64(), t3.AsUInt64()).AsUInt32();
        var u4 = Avx2.UnpackLow(t4.AsUInt64(), t6.AsUInt64()).AsUInt32();
        var u5 = Avx2.UnpackHigh(t4.AsUInt64(), t6.AsUInt64()).AsUInt32();
        var u6 = Avx2.UnpackLow(t5.AsUInt64(), t7.AsUInt64()).AsUInt32();
        var u7 = Avx2.UnpackHigh(t5.AsUInt64(), t7.AsUInt64()).AsUInt32();

        // Join 128-bit halves: blocks 0..3 come from the low halves, blocks 4..7 from the high ones.
        r0 = Avx2.Permute2x128(u0, u4, 0x20);
        r1 = Avx2.Permute2x128(u1, u5, 0x20);
        r2 = Avx2.Permute2x128(u2, u6, 0x20);
        r3 = Avx2.Permute2x128(u3, u7, 0x20);
        r4 = Avx2.Permute2x128(u0, u4, 0x31);
        r5 = Avx2.Permute2x128(u1, u5, 0x31);
        r6 = Avx2.Permute2x128(u2, u6, 0x31);
        r7 = Avx2.Permute2x128(u3, u7, 0x31);
    }
}
