using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>Opens a byte stream to a route's instance: a socket when it runs on this node, a tunnel when it runs elsewhere.</summary>
public interface IUpstreamDialer
{
    /// <summary>A connected stream to the instance's HTTP port; the caller owns and disposes it.</summary>
    /// <exception cref="IOException">The instance cannot be reached.</exception>
    ValueTask<Stream> ConnectAsync(Route route, CancellationToken cancellationToken);
}
