using Microsoft.AspNetCore.Http;

namespace PhysarumSM.Gateway.Forwarding;

/// <summary>
/// Splits a gateway request path into the service (first segment) and what the instance receives, as the original
/// rewrote it: <c>/hello/a/b?x=1</c> ⇒ service <c>hello</c>, upstream <c>/a/b?x=1</c>.
/// </summary>
internal static class ServicePath
{
    /// <summary>The service name, or false when the path has no first segment.</summary>
    public static bool TrySplit(PathString path, out string service, out PathString rest)
    {
        var value = path.Value;
        rest = PathString.Empty;
        service = "";
        if (string.IsNullOrEmpty(value) || value.Length < 2)
        {
            return false;
        }

        var end = value.IndexOf('/', 1);
        service = end < 0 ? value[1..] : value[1..end];
        rest = end < 0 ? new PathString("/") : new PathString(value[end..]);
        return service.Length > 0;
    }
}
