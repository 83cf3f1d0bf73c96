using System.Net;
using PhysarumSM.Contracts;

namespace PhysarumSM.Client.Mesh;

/// <summary>
/// Picks the entry node and gateway from the mesh directory's node list: explicit options first; then the node whose
/// Orleans gateway this client was configured with; then a node on this machine; then any node whose published
/// gateway is reachable from here. Stale nodes are never picked. Pure, so the rule is testable without a mesh.
/// </summary>
internal static class MeshEntryChoice
{
    /// <param name="nodes">The mesh directory's listing.</param>
    /// <param name="gatewaySilos">Silo endpoints of the configured Orleans gateways, in configuration order (empty with Redis).</param>
    /// <param name="isLocal">Whether an address is this machine's.</param>
    /// <param name="fromNode">The <see cref="PhysarumClientOptions.FromNode"/> override, or null.</param>
    /// <param name="gatewayUrl">The <see cref="PhysarumClientOptions.GatewayUrl"/> override, or null.</param>
    public static MeshEntry Choose(
        IReadOnlyList<MeshNode> nodes, IReadOnlyList<IPEndPoint> gatewaySilos, Func<IPAddress, bool> isLocal, string? fromNode, Uri? gatewayUrl)
    {
        var live = nodes.Where(n => !n.IsStale).OrderBy(n => n.Info.PeerId, StringComparer.Ordinal).ToList();
        bool OnThisMachine(MeshNode n) => n.Info.Silo is { } silo && isLocal(silo.Endpoint.Address);
        Uri? Reachable(MeshNode n) =>
            GatewayOf(n) is { } url && (!url.IsLoopback || OnThisMachine(n)) ? url : null;

        var connected = gatewaySilos
            .Select(endpoint => live.FirstOrDefault(n => n.Info.Silo is { } silo && silo.Endpoint.Equals(endpoint)))
            .FirstOrDefault(n => n is not null);
        var entry = connected
            ?? live.FirstOrDefault(n => OnThisMachine(n) && Reachable(n) is not null)
            ?? live.FirstOrDefault(n => Reachable(n) is not null)
            ?? live.FirstOrDefault();

        var chosenFrom = fromNode ?? entry?.Info.PeerId;

        // The gateway of the node we resolve from when we can reach it (its answers then match ResolveAsync's), else the entry's, else any.
        var gateway = gatewayUrl
            ?? live.Where(n => n.Info.PeerId == chosenFrom).Select(Reachable).FirstOrDefault(u => u is not null)
            ?? (entry is null ? null : Reachable(entry))
            ?? live.Where(OnThisMachine).Select(Reachable).FirstOrDefault(u => u is not null)
            ?? live.Select(Reachable).FirstOrDefault(u => u is not null);
        return new MeshEntry(chosenFrom, gateway is null ? null : WithTrailingSlash(gateway));
    }

    /// <summary>A base address ending in '/', so relative paths append to it instead of replacing its last segment.</summary>
    public static Uri WithTrailingSlash(Uri url) =>
        url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;

    private static Uri? GatewayOf(MeshNode node) =>
        Uri.TryCreate(node.Info.GatewayUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : null;
}
