using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// A self-describing network address such as <c>/ip4/1.2.3.4/tcp/4001/p2p/12D3KooW…</c>. Why: libp2p
/// exchanges addresses in this form (identify, DHT), and its binary form is what peers sign and send.
/// Immutable; equality is by binary form.
/// </summary>
public sealed class Multiaddr : IEquatable<Multiaddr>
{
    private readonly byte[] _bytes;
    private readonly MultiaddrComponent[] _components;
    private string? _text;
    private PeerId? _peerId;

    private Multiaddr(byte[] bytes, MultiaddrComponent[] components)
    {
        _bytes = bytes;
        _components = components;
    }

    /// <summary>The components in order.</summary>
    public IReadOnlyList<MultiaddrComponent> Components => _components;

    /// <summary>The peer ID of a trailing <c>/p2p/…</c> component, or null.</summary>
    public PeerId? PeerId =>
        _peerId ??= _components.Length > 0 && ReferenceEquals(_components[^1].Protocol, MultiaddrProtocol.P2p)
            ? PeerId.FromBytes(_components[^1].Value.Span)
            : null;

    /// <summary>True when the address starts with a loopback IP (127/8, ::1, ::ffff:127/104) or a localhost DNS name.</summary>
    public bool IsLoopback
    {
        get
        {
            if (_components.Length == 0)
            {
                return false;
            }
            var first = _components[0];
            var value = first.Value.Span;
            if (ReferenceEquals(first.Protocol, MultiaddrProtocol.Ip4))
            {
                return value[0] == 127;
            }
            if (ReferenceEquals(first.Protocol, MultiaddrProtocol.Ip6))
            {
                var address = new IPAddress(value);
                return IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && value[12] == 127);
            }
            if (IsDns(first.Protocol))
            {
                var name = first.ValueText.TrimEnd('.');
                return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                    || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
            }
            return false;
        }
    }

    /// <summary>Parses text form; <c>/ipfs/</c> is read as <c>/p2p/</c>; trailing slashes are ignored.</summary>
    /// <exception cref="FormatException">The message names the offending part.</exception>
    public static Multiaddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || text[0] != '/')
        {
            throw new FormatException($"multiaddr '{Base58.Shorten(text)}' must start with '/'");
        }
        var trimmed = text.AsSpan().TrimEnd('/');
        if (trimmed.IsEmpty)
        {
            throw new FormatException($"multiaddr '{text}' is empty");
        }
        var components = new List<(MultiaddrProtocol Protocol, byte[] Value)>();
        var rest = trimmed[1..];
        while (!rest.IsEmpty)
        {
            var name = NextSegment(ref rest);
            if (name.IsEmpty)
            {
                throw new FormatException($"empty protocol name in '{Base58.Shorten(text)}'");
            }
            if (!MultiaddrProtocol.TryGetByName(name, out var protocol))
            {
                throw new FormatException($"unknown protocol '{name}' in '{Base58.Shorten(text)}'");
            }
            if (protocol.Size == 0)
            {
                components.Add((protocol, []));
                continue;
            }
            if (rest.IsEmpty)
            {
                throw new FormatException($"protocol '{protocol.Name}' needs a value in '{Base58.Shorten(text)}'");
            }
            var value = NextSegment(ref rest).ToString();
            components.Add((protocol, MultiaddrValueParser.FromText(protocol, value)));
        }
        return Build(components);
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Multiaddr? address)
    {
        if (text is not null)
        {
            try
            {
                address = Parse(text);
                return true;
            }
            catch (FormatException)
            {
            }
        }
        address = null;
        return false;
    }

    /// <summary>Parses the binary form.</summary>
    /// <exception cref="FormatException">Unknown code, truncation or invalid value (the message names the byte offset).</exception>
    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new FormatException("empty multiaddr");
        }
        var copy = bytes.ToArray();
        var components = new List<MultiaddrComponent>();
        var offset = 0;
        while (offset < copy.Length)
        {
            var start = offset;
            var code = Varint.ReadComplete(copy, ref offset);
            if (!MultiaddrProtocol.TryGetByCode(code, out var protocol))
            {
                throw new FormatException($"unknown multiaddr protocol code {code} (0x{code:x}) at byte {start}");
            }
            int length;
            if (protocol.Size == MultiaddrProtocol.VariableSize)
            {
                var lengthAt = offset;
                var declared = Varint.ReadComplete(copy, ref offset);
                if (declared > (ulong)(copy.Length - offset))
                {
                    throw new FormatException($"truncated {protocol.Name} value at byte {lengthAt}: declares {declared} bytes, {copy.Length - offset} left");
                }
                length = (int)declared;
            }
            else
            {
                length = protocol.Size;
                if (length > copy.Length - offset)
                {
                    throw new FormatException($"truncated {protocol.Name} value at byte {offset}: needs {length} bytes, {copy.Length - offset} left");
                }
            }
            if (MultiaddrValueParser.FindProblem(protocol, copy.AsSpan(offset, length)) is { } problem)
            {
                throw new FormatException($"{protocol.Name} value at byte {offset} {problem}");
            }
            components.Add(new MultiaddrComponent(protocol, copy.AsMemory(offset, length)));
            offset += length;
        }
        return new Multiaddr(copy, [.. components]);
    }

    /// <summary>Like <see cref="FromBytes"/> but returns false instead of throwing.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Multiaddr? address)
    {
        try
        {
            address = FromBytes(bytes);
            return true;
        }
        catch (FormatException)
        {
            address = null;
            return false;
        }
    }

    /// <summary>Builds an address from components (values are validated).</summary>
    public static Multiaddr FromComponents(IEnumerable<MultiaddrComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var list = components.Select(c => (c.Protocol, c.Value.ToArray())).ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var (protocol, value) = list[i];
            ArgumentNullException.ThrowIfNull(protocol);
            if (protocol.Size >= 0 && value.Length != protocol.Size)
            {
                throw new FormatException($"{protocol.Name} value in component {i} must be {protocol.Size} bytes, got {value.Length}");
            }
            if (MultiaddrValueParser.FindProblem(protocol, value) is { } problem)
            {
                throw new FormatException($"{protocol.Name} value in component {i} {problem}");
            }
        }
        return Build(list);
    }

    /// <summary><c>/ip4|ip6/&lt;address&gt;/tcp/&lt;port&gt;</c>; IPv4-mapped IPv6 addresses become ip4.</summary>
    public static Multiaddr FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var ipProtocol = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => MultiaddrProtocol.Ip4,
            AddressFamily.InterNetworkV6 => MultiaddrProtocol.Ip6,
            _ => throw new ArgumentException($"address family {address.AddressFamily} has no multiaddr form", nameof(endPoint)),
        };
        var port = new byte[] { (byte)(endPoint.Port >> 8), (byte)endPoint.Port };
        return Build([(ipProtocol, address.GetAddressBytes()), (MultiaddrProtocol.Tcp, port)]);
    }

    /// <summary>The binary form (a fresh copy).</summary>
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    /// <summary>The binary form without copying.</summary>
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    /// <summary>This address followed by <paramref name="inner"/>.</summary>
    public Multiaddr Encapsulate(Multiaddr inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return Build(_components.Concat(inner._components).Select(c => (c.Protocol, c.Value.ToArray())).ToList());
    }

    /// <summary>This address without a trailing <c>/p2p/…</c> (unchanged if there is none).</summary>
    public Multiaddr WithoutPeerId() =>
        _components.Length > 0 && ReferenceEquals(_components[^1].Protocol, MultiaddrProtocol.P2p)
            ? Build(_components[..^1].Select(c => (c.Protocol, c.Value.ToArray())).ToList())
            : this;

    /// <summary>This address ending in <c>/p2p/&lt;peerId&gt;</c> (replacing any trailing peer ID).</summary>
    public Multiaddr WithPeerId(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var list = WithoutPeerId()._components.Select(c => (c.Protocol, c.Value.ToArray())).ToList();
        list.Add((MultiaddrProtocol.P2p, peerId.Bytes.ToArray()));
        return Build(list);
    }

    /// <summary>
    /// For <c>/ip4|ip6|dns|dns4|dns6/…/tcp/…</c> (optionally ending in <c>/p2p/…</c>): the host text
    /// (IP or DNS name) and port. Why: what a TCP transport needs to dial.
    /// </summary>
    public bool TryGetTcpTarget(out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var count = _components.Length;
        if (count == 3 && ReferenceEquals(_components[2].Protocol, MultiaddrProtocol.P2p))
        {
            count = 2;
        }
        if (count != 2 || !ReferenceEquals(_components[1].Protocol, MultiaddrProtocol.Tcp))
        {
            return false;
        }
        var first = _components[0].Protocol;
        if (!ReferenceEquals(first, MultiaddrProtocol.Ip4) && !ReferenceEquals(first, MultiaddrProtocol.Ip6) && !IsDns(first))
        {
            return false;
        }
        host = _components[0].ValueText;
        port = _components[1].Port;
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        if (_text is null)
        {
            var builder = new StringBuilder();
            foreach (var component in _components)
            {
                builder.Append(component.ToString());
            }
            _text = builder.ToString();
        }
        return _text;
    }

    /// <inheritdoc />
    public bool Equals(Multiaddr? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Multiaddr other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(Multiaddr? left, Multiaddr? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Multiaddr? left, Multiaddr? right) => !(left == right);

    private static bool IsDns(MultiaddrProtocol protocol) =>
        ReferenceEquals(protocol, MultiaddrProtocol.Dns) || ReferenceEquals(protocol, MultiaddrProtocol.Dns4) || ReferenceEquals(protocol, MultiaddrProtocol.Dns6);

    private static ReadOnlySpan<char> NextSegment(ref ReadOnlySpan<char> rest)
    {
        var slash = rest.IndexOf('/');
        ReadOnlySpan<char> segment;
        if (slash < 0)
        {
            segment = rest;
            rest = [];
        }
        else
        {
            segment = rest[..slash];
            rest = rest[(slash + 1)..];
        }
        return segment;
    }

    /// <summary>Encodes already-valid components into one buffer and slices component values from it.</summary>
    private static Multiaddr Build(List<(MultiaddrProtocol Protocol, byte[] Value)> parts)
    {
        var length = 0;
        foreach (var (protocol, value) in parts)
        {
            length += Varint.GetLength((ulong)protocol.Code) + value.Length;
            if (protocol.Size == MultiaddrProtocol.VariableSize)
            {
                length += Varint.GetLength((ulong)value.Length);
            }
        }
        var bytes = new byte[length];
        var components = new MultiaddrComponent[parts.Count];
        var offset = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var (protocol, value) = parts[i];
            offset += Varint.Write(bytes.AsSpan(offset), (ulong)protocol.Code);
            if (protocol.Size == MultiaddrProtocol.VariableSize)
            {
                offset += Varint.Write(bytes.AsSpan(offset), (ulong)value.Length);
            }
            value.CopyTo(bytes, offset);
            components[i] = new MultiaddrComponent(protocol, bytes.AsMemory(offset, value.Length));
            offset += value.Length;
        }
        return new Multiaddr(bytes, components);
    }
}
