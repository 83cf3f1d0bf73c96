namespace PhysarumSM.Samples.Greeter;

/// <summary>
/// Where the greeting comes from: the node's gateway (PROXY_IP, PROXY_PORT, given to every container) and the
/// service to call through it (GREETER_TARGET). Why a gateway URL and not the target's address: the mesh picks
/// (and cold-starts) the nearest instance, so a service only ever names the service it wants.
/// </summary>
internal sealed record GreeterSettings(Uri? TargetUri, string Target, string? Problem)
{
    /// <summary>The service called when GREETER_TARGET is not set.</summary>
    public const string DefaultTarget = "hello-world-server";

    /// <summary>Reads the environment once; a missing gateway is reported per request (500), not at startup,
    /// so /healthz, /echo and /bytes still work when the binary runs outside a node.</summary>
    public static GreeterSettings FromEnvironment()
    {
        var target = Environment.GetEnvironmentVariable("GREETER_TARGET");
        target = string.IsNullOrWhiteSpace(target) ? DefaultTarget : target.Trim().Trim('/');
        var ip = Environment.GetEnvironmentVariable("PROXY_IP");
        var portText = Environment.GetEnvironmentVariable("PROXY_PORT");
        if (string.IsNullOrWhiteSpace(ip) || string.IsNullOrWhiteSpace(portText))
        {
            return new GreeterSettings(null, target, "PROXY_IP and PROXY_PORT must be set (the node's gateway; a node sets them in every container)");
        }

        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return new GreeterSettings(null, target, $"PROXY_PORT must be a port number 1-65535, got '{portText}'");
        }

        // UriBuilder brackets an IPv6 PROXY_IP; the trailing slash asks the target for its root path.
        var uri = new UriBuilder(Uri.UriSchemeHttp, ip.Trim(), port, $"/{Uri.EscapeDataString(target)}/").Uri;
        return new GreeterSettings(uri, target, null);
    }
}
