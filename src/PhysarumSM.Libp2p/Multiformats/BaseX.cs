namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// Big-number base conversion with leading-zero preservation (base-x semantics). Why: base58btc and
/// base36 share this algorithm; only the alphabet differs.
/// </summary>
internal sealed class BaseX
{
    private readonly string _alphabet;
    private readonly sbyte[] _map = new sbyte[128];

    // Output digits per input byte and bytes per digit, in thousandths, rounded up (sizes scratch buffers).
    private readonly int _digitsPerByteMilli;
    private readonly int _bytesPerDigitMilli;

    public BaseX(string alphabet)
    {
        _alphabet = alphabet;
        _digitsPerByteMilli = (int)Math.Ceiling(Math.Log(256) / Math.Log(alphabet.Length) * 1000);
        _bytesPerDigitMilli = (int)Math.Ceiling(Math.Log(alphabet.Length) / Math.Log(256) * 1000);
        Array.Fill(_map, (sbyte)-1);
        for (var i = 0; i < alphabet.Length; i++)
        {
            _map[alphabet[i]] = (sbyte)i;
        }
    }

    public string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }
        var radix = _alphabet.Length;
        var capacity = (int)((long)(data.Length - zeros) * _digitsPerByteMilli / 1000) + 1;
        var digits = capacity <= 512 ? stackalloc byte[capacity] : new byte[capacity];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            for (var j = 0; j < length; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % radix);
                carry /= radix;
            }
            while (carry > 0)
            {
                digits[length++] = (byte)(carry % radix);
                carry /= radix;
            }
        }
        var total = zeros + length;
        var chars = total <= 512 ? stackalloc char[total] : new char[total];
        chars[..zeros].Fill(_alphabet[0]);
        for (var k = 0; k < length; k++)
        {
            chars[zeros + k] = _alphabet[digits[length - 1 - k]];
        }
        return new string(chars);
    }

    public bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == _alphabet[0])
        {
            zeros++;
        }
        var radix = _alphabet.Length;
        var capacity = (int)((long)(text.Length - zeros) * _bytesPerDigitMilli / 1000) + 1;
        var buffer = capacity <= 512 ? stackalloc byte[capacity] : new byte[capacity];
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            var digit = c < 128 ? _map[c] : -1;
            if (digit < 0)
            {
                bytes = [];
                return false;
            }
            int carry = digit;
            for (var j = 0; j < length; j++)
            {
                carry += buffer[j] * radix;
                buffer[j] = (byte)carry;
                carry >>= 8;
            }
            while (carry > 0)
            {
                buffer[length++] = (byte)carry;
                carry >>= 8;
            }
        }
        bytes = new byte[zeros + length];
        for (var k = 0; k < length; k++)
        {
            bytes[zeros + k] = buffer[length - 1 - k];
        }
        return true;
    }
}
