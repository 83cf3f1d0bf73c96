using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>A node answering resolve requests with a test's delegate, and a proxy asking it.</summary>
internal sealed class ResolveRig : IAsyncDisposable
{
    private ResolveRig(OverlayPair overlay, LogCapture<ResolveServer> log)
    {
        Overlay = overlay;
        Log = log;
    }

    public OverlayPair Overlay { get; }

    public LogCapture<ResolveServer> Log { get; }

    /// <summary>Who asked, as the delegate saw it.</summary>
    public List<(string Service, PeerId Caller)> Calls { get; } = [];

    public static async Task<ResolveRig> StartAsync(
        Func<string, PeerId, CancellationToken, Task<ResolveAnswer>> resolve,
        CancellationToken cancellationToken,
        string? psk = null,
        TimeSpan? resolveTimeout = null)
    {
        var overlay = await OverlayPair.StartAsync(psk, cancellationToken);
        var log = new LogCapture<ResolveServer>();
        var rig = new ResolveRig(overlay, log);
        var server = new ResolveServer(
            (service, caller, ct) =>
            {
                lock (rig.Calls)
                {
                    rig.Calls.Add((service, caller));
                }

                return resolve(service, caller, ct);
            },
            log,
            resolveTimeout);
        server.Register(overlay.Node);
        return rig;
    }

    public Task<ResolvedRoute> ResolveAsync(string service, CancellationToken cancellationToken) =>
        ResolveClient.ResolveAsync(Overlay.Proxy, Overlay.Node.PeerId, service, cancellationToken);

    public ValueTask DisposeAsync() => Overlay.DisposeAsync();
}
