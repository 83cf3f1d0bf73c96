using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// Converts multiaddr values between text and bytes and validates binary values. Why separate: the
/// per-protocol rules are the fiddly part of multiaddr and deserve one focused place.
/// </summary>
internal static class MultiaddrValueParser
{
    /// <summary>Text value → binary value (without length prefix).</summary>
    public static byte[] FromText(MultiaddrProtocol protocol, string text)
    {
        if (ReferenceEquals(protocol, MultiaddrProtocol.Ip4))
        {
            return TryParseIp4(text, out var ip4) ? ip4 : throw new FormatException($"ip4 value '{text}' is not an IPv4 address");
        }
        if (ReferenceEquals(protocol, MultiaddrProtocol.Ip6))
        {
            // Zones and brackets belong elsewhere (ip6zone, URLs); .NET would otherwise accept them.
            if (text.Length == 0 || text.AsSpan().IndexOfAny('%', '[', ']') >= 0
                || !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new FormatException($"ip6 value '{text}' is not an IPv6 address");
            }
            return address.GetAddressBytes();
        }
        if (ReferenceEquals(protocol, MultiaddrProtocol.Tcp) || ReferenceEquals(protocol, MultiaddrProtocol.Udp))
        {
            if (!TryParsePort(text, out var port))
            {
                throw new FormatException($"{protocol.Name} value '{text}' is not a port number (0-65535)");
            }
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, port);
            return bytes;
        }
        if (ReferenceEquals(protocol, MultiaddrProtocol.P2p))
        {
            try
            {
                return PeerId.Parse(text).Bytes.ToArray();
            }
            catch (FormatException e)
            {
                throw new FormatException($"p2p value '{Base58.Shorten(text)}' is not a peer ID: {e.Message}", e);
            }
        }
        if (text.Length == 0)
        {
            throw new FormatException($"{protocol.Name} value is empty");
        }
        return MultiaddrComponent.StrictUtf8.GetBytes(text);
    }

    /// <summary>
    /// Checks a binary value read from the wire. Returns null when valid, else what is wrong (e.g.
    /// "is empty"); the caller adds the position so no message is built on the happy path.
    /// </summary>
    public static string? FindProblem(MultiaddrProtocol protocol, ReadOnlySpan<byte> value)
    {
        if (ReferenceEquals(protocol, MultiaddrProtocol.P2p))
        {
            try
            {
                PeerId.FromBytes(value);
                return null;
            }
            catch (FormatException e)
            {
                return "is not a peer ID: " + e.Message;
            }
        }
        if (protocol.Size != MultiaddrProtocol.VariableSize)
        {
            return null; // fixed-size values are valid for every bit pattern
        }
        if (value.IsEmpty)
        {
            return "is empty";
        }
        if (value.IndexOf((byte)'/') >= 0)
        {
            return "contains '/'";
        }
        try
        {
            MultiaddrComponent.StrictUtf8.GetCharCount(value);
            return null;
        }
        catch (ArgumentException)
        {
            return "is not valid UTF-8";
        }
    }

    /// <summary>Strict dotted quad: four decimal parts 0-255 without leading zeros (like Go's parser).</summary>
    private static bool TryParseIp4(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = new byte[4];
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }
            var digits = text[start..i];
            if (part == 4 || digits.IsEmpty || digits.Length > 3 || (digits.Length > 1 && digits[0] == '0'))
            {
                return false;
            }
            var value = 0;
            foreach (var c in digits)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255)
            {
                return false;
            }
            bytes[part++] = (byte)value;
            start = i + 1;
        }
        return part == 4;
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out ushort port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            return false;
        }
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        if (value > ushort.MaxValue)
        {
            return false;
        }
        port = (ushort)value;
        return true;
    }
}
