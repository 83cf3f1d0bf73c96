namespace PhysarumSM.Libp2p.Tests.Multiformats;

/// <summary>Shared checks for fuzz tests: a parser may accept or reject input, but may only reject with the documented exception.</summary>
internal static class ParserFuzzing
{
    /// <summary>Runs <paramref name="parse"/>; true if it returned or threw exactly <typeparamref name="TExpected"/> (or a subclass).</summary>
    public static bool OnlyThrows<TExpected>(Action parse) where TExpected : Exception
    {
        try
        {
            parse();
            return true;
        }
        catch (TExpected)
        {
            return true;
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"parser threw {e.GetType().Name} instead of {typeof(TExpected).Name}: {e}");
        }
    }

    /// <summary>Every prefix, every single-byte corruption and some appended junk of a valid encoding.</summary>
    public static IEnumerable<byte[]> Mutations(byte[] valid)
    {
        for (var length = 0; length < valid.Length; length++)
        {
            yield return valid[..length];
        }
        for (var i = 0; i < valid.Length; i++)
        {
            foreach (var value in new byte[] { 0x00, 0x7f, 0x80, 0xff, (byte)(valid[i] ^ 0x01) })
            {
                var copy = (byte[])valid.Clone();
                copy[i] = value;
                yield return copy;
            }
        }
        yield return [.. valid, 0x00];
        yield return [.. valid, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        yield return [.. valid, .. valid];
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
