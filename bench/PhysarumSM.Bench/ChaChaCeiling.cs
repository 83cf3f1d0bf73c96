using System.Diagnostics;
using System.Security.Cryptography;

namespace PhysarumSM.Bench;

/// <summary>
/// Single-core ChaCha20-Poly1305 rate on this machine: the ceiling for one Noise stream, since every
/// byte is sealed once by the sender and opened once by the receiver.
/// </summary>
internal static class ChaChaCeiling
{
    public static double MeasureMegabytesPerSecond(TimeSpan duration)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var aead = new ChaCha20Poly1305(key);
        var plaintext = new byte[65519];
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        var nonce = new byte[12];
        long bytes = 0;
        var watch = Stopwatch.StartNew();
        ulong counter = 0;
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < 64; i++)
            {
                BitConverter.TryWriteBytes(nonce.AsSpan(4), counter++);
                aead.Encrypt(nonce, plaintext, ciphertext, tag);
                bytes += plaintext.Length;
            }
        }

        return bytes / watch.Elapsed.TotalSeconds / 1e6;
    }
}
