using System.Net;
using PhysarumSM.Cli.Overlay;

namespace PhysarumSM.Cli.Proxy;

/// <summary>What `physarum proxy` was asked to do.</summary>
/// <param name="Overlay">The bootstraps and PSK it joins the overlay with.</param>
/// <param name="Listen">Where it serves <c>/{service}/{**path}</c> (loopback unless --listen widens it).</param>
/// <param name="Metrics">Where it serves Prometheus <c>/metrics</c>, or null (--metrics not given).</param>
/// <param name="JoinTimeout">How long joining the overlay may take before the proxy gives up (--timeout).</param>
/// <param name="Debug">Verbose logs.</param>
internal sealed record ProxySettings(OverlaySettings Overlay, IPEndPoint Listen, IPEndPoint? Metrics, TimeSpan JoinTimeout, bool Debug)
{
    /// <summary>The base address the proxy prints once ready, e.g. <c>http://127.0.0.1:4200</c>.</summary>
    public string ListenUrl => $"http://{Listen}";
}
