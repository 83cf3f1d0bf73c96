using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Transport;

/// <summary>Raw byte-stream transport (the bottom layer). Why an interface: the host composes layers and tests swap in relays.</summary>
public interface ITransport
{
    /// <summary>True when this transport can dial the address (e.g. /ip4/../tcp/..).</summary>
    bool CanDial(Multiaddr address);

    /// <summary>Opens a raw connection; the returned stream is owned by the caller.</summary>
    Task<RawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken);

    /// <summary>Starts listening; the listener's <see cref="ITransportListener.LocalAddress"/> has the bound port.</summary>
    ITransportListener Listen(Multiaddr address);
}

/// <summary>An accepting endpoint of a transport.</summary>
public interface ITransportListener : IAsyncDisposable
{
    Multiaddr LocalAddress { get; }

    /// <summary>Waits for the next inbound connection; throws <see cref="OperationCanceledException"/> or <see cref="ObjectDisposedException"/> when stopped.</summary>
    ValueTask<RawConnection> AcceptAsync(CancellationToken cancellationToken);
}

/// <summary>A transport connection before any upgrade.</summary>
public sealed record RawConnection(Stream Stream, Multiaddr LocalAddress, Multiaddr RemoteAddress);
