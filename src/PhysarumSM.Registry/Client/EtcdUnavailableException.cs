using Grpc.Core;

namespace PhysarumSM.Registry.Client;

/// <summary>
/// etcd could not be reached, or answered with an error, so the request did not take effect as asked. Why one type:
/// callers (the registry grains) only need "etcd failed, here is where and why", never gRPC's status vocabulary.
/// </summary>
public sealed class EtcdUnavailableException : Exception
{
    /// <summary>Creates the exception for a failed call to <paramref name="endpoints"/>.</summary>
    public EtcdUnavailableException(string message, IReadOnlyList<string> endpoints, StatusCode statusCode, Exception? inner = null)
        : base(message, inner)
    {
        Endpoints = endpoints;
        StatusCode = statusCode;
    }

    /// <summary>The endpoints the client was configured with.</summary>
    public IReadOnlyList<string> Endpoints { get; }

    /// <summary>The gRPC status of the last attempt (DeadlineExceeded when etcd never answered).</summary>
    public StatusCode StatusCode { get; }
}
