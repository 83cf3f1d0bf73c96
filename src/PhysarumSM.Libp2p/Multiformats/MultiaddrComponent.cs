using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace PhysarumSM.Libp2p.Multiformats;

/// <summary>
/// One <c>/protocol/value</c> pair of a multiaddr; <see cref="Value"/> is the binary value (without
/// length prefix). Why a struct: addresses are small and built/parsed often.
/// </summary>
public readonly record struct MultiaddrComponent(MultiaddrProtocol Protocol, ReadOnlyMemory<byte> Value)
{
    internal static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>The value as multiaddr text (IP, port, DNS name, base58 peer ID); empty for value-less protocols.</summary>
    public string ValueText => FormatValue(Protocol, Value.Span);

    /// <summary>Port of a tcp/udp component.</summary>
    /// <exception cref="InvalidOperationException">The component is not tcp or udp.</exception>
    public int Port =>
        ReferenceEquals(Protocol, MultiaddrProtocol.Tcp) || ReferenceEquals(Protocol, MultiaddrProtocol.Udp)
            ? BinaryPrimitives.ReadUInt16BigEndian(Value.Span)
            : throw new InvalidOperationException($"a {Protocol?.Name ?? "default"} component has no port");

    /// <summary>Compares protocol and value contents.</summary>
    public bool Equals(MultiaddrComponent other) =>
        ReferenceEquals(Protocol, other.Protocol) && Value.Span.SequenceEqual(other.Value.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Protocol?.Code);
        hash.AddBytes(Value.Span);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Protocol.Size == 0 ? "/" + Protocol.Name : $"/{Protocol.Name}/{ValueText}";

    internal static string FormatValue(MultiaddrProtocol protocol, ReadOnlySpan<byte> value)
    {
        if (ReferenceEquals(protocol, MultiaddrProtocol.Ip4) || ReferenceEquals(protocol, MultiaddrProtocol.Ip6))
        {
            return new IPAddress(value).ToString();
        }
        if (ReferenceEquals(protocol, MultiaddrProtocol.Tcp) || ReferenceEquals(protocol, MultiaddrProtocol.Udp))
        {
            return BinaryPrimitives.ReadUInt16BigEndian(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (ReferenceEquals(protocol, MultiaddrProtocol.P2p))
        {
            return Base58.Encode(value);
        }
        return protocol.Size == 0 ? string.Empty : StrictUtf8.GetString(value);
    }
}
