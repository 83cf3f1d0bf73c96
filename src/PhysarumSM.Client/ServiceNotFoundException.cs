namespace PhysarumSM.Client;

/// <summary>
/// The service named in a resolve is not registered. Derives from <see cref="KeyNotFoundException"/> (what the service
/// grain throws), so existing handlers still match; <see cref="Service"/> names the missing service.
/// </summary>
public sealed class ServiceNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="service"/>, keeping the grain's error as the cause.</summary>
    /// <param name="service">The service that is not registered.</param>
    /// <param name="innerException">The error the mesh returned, if any.</param>
    public ServiceNotFoundException(string service, Exception? innerException = null)
        : base($"service '{service}' is not registered in the mesh (register it with RegisterAsync or `physarum service add`)", innerException)
    {
        Service = service;
    }

    /// <summary>The service that is not registered.</summary>
    public string Service { get; }
}
