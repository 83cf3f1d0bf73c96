using System.Text;
using PhysarumSM.Libp2p.Pnet;

namespace PhysarumSM.Libp2p.Tests.Pnet;

/// <summary>PSK derivation and the PSK v1 key file (wire digest 6.1, 6.2).</summary>
public sealed class PreSharedKeyTests
{
    private const string PassphraseKeyHex = "f4f8033e765e6c928b366e94d97e7c74a68b7bdb3ea0a930c8a4b2c6a3e32e50";

    [Fact]
    public void Passphrase_vector_matches_PhysarumSM()
    {
        var key = PreSharedKey.FromPassphrase("toInfinityAndBeyond!");
        Assert.Equal(PassphraseKeyHex, Convert.ToHexStringLower(key.Key));
    }

    [Fact]
    public void Key_file_text_is_the_95_byte_js_form()
    {
        var text = PreSharedKey.FromPassphrase("toInfinityAndBeyond!").ToKeyFileText();
        Assert.Equal("/key/swarm/psk/1.0.0/\n/base16/\n" + PassphraseKeyHex, text);
        Assert.Equal(95, Encoding.UTF8.GetByteCount(text));
    }

    [Fact]
    public void Empty_passphrase_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => PreSharedKey.FromPassphrase(""));
    }

    [Theory]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\n" + PassphraseKeyHex)]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\n" + PassphraseKeyHex + "\n")]
    [InlineData("/key/swarm/psk/1.0.0/\r\n/base16/\r\n" + PassphraseKeyHex + "\r\n")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\nF4F8033E765E6C928B366E94D97E7C74A68B7BDB3EA0A930C8A4B2C6A3E32E50")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base64/\n9PgDPnZebJKLNm6U2X58dKaLe9s+oKkwyKSyxqPjLlA=\n")]
    public void Text_key_files_parse(string file)
    {
        var key = PreSharedKey.FromKeyFile(Encoding.ASCII.GetBytes(file));
        Assert.Equal(PassphraseKeyHex, Convert.ToHexStringLower(key.Key));
    }

    [Fact]
    public void Binary_key_file_parses_even_with_line_break_bytes_in_the_key()
    {
        var raw = Enumerable.Range(0, 32).Select(i => (byte)(i % 3 == 0 ? '\n' : i % 3 == 1 ? '\r' : i)).ToArray();
        byte[] file = [.. "/key/swarm/psk/1.0.0/\n/bin/\n"u8, .. raw];
        Assert.Equal(raw, PreSharedKey.FromKeyFile(file).Key.ToArray());
        byte[] withNewline = [.. file, (byte)'\n'];
        Assert.Equal(raw, PreSharedKey.FromKeyFile(withNewline).Key.ToArray());
    }

    [Fact]
    public void Round_trips_through_its_own_file_text()
    {
        var key = PreSharedKey.FromPassphrase("another one");
        var parsed = PreSharedKey.FromKeyFile(Encoding.UTF8.GetBytes(key.ToKeyFileText()));
        Assert.Equal(key.Key.ToArray(), parsed.Key.ToArray());
        Assert.Equal(key.Fingerprint, parsed.Fingerprint);
    }

    [Theory]
    [InlineData("", "header")]
    [InlineData("/key/swarm/psk/1.0.0/", "header")]
    [InlineData("/key/swarm/psk/2.0.0/\n/base16/\n" + PassphraseKeyHex, "must start with")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/", "encoding line")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base32/\n" + PassphraseKeyHex, "not supported")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\n", "no key")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\nabcd", "64 hex characters")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\n" + "zz" + "f8033e765e6c928b366e94d97e7c74a68b7bdb3ea0a930c8a4b2c6a3e32e50", "hex digit")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\n" + PassphraseKeyHex + "\nextra", "after the key")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base64/\n!!!!", "base64")]
    [InlineData("/key/swarm/psk/1.0.0/\n/base64/\nAAAA", "decode to 32 bytes")]
    [InlineData("/key/swarm/psk/1.0.0/\n/bin/\nshort", "/bin/")]
    public void Malformed_key_files_fail_with_a_clear_FormatException(string file, string messagePart)
    {
        var e = Assert.Throws<FormatException>(() => PreSharedKey.FromKeyFile(Encoding.ASCII.GetBytes(file)));
        Assert.Contains(messagePart, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(PassphraseKeyHex[4..], e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToString_shows_only_the_fingerprint()
    {
        var key = PreSharedKey.FromPassphrase("toInfinityAndBeyond!");
        Assert.Equal(8, key.Fingerprint.Length);
        Assert.DoesNotContain("f4f8033e", key.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key.Fingerprint, PassphraseKeyHex, StringComparison.Ordinal);
        Assert.Contains(key.Fingerprint, key.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(key.Fingerprint, PreSharedKey.FromPassphrase("other").Fingerprint);
    }
}
