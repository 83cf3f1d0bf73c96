using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>A node running a <see cref="TunnelServer"/> over <see cref="RecordingInstances"/>, and a proxy to open tunnels from.</summary>
internal sealed class TunnelRig : IAsyncDisposable
{
    private TunnelRig(OverlayPair overlay, RecordingInstances instances, TunnelServer server, LogCapture<TunnelServer> log)
    {
        Overlay = overlay;
        Instances = instances;
        Server = server;
        Log = log;
    }

    public OverlayPair Overlay { get; }

    public RecordingInstances Instances { get; }

    public TunnelServer Server { get; }

    public LogCapture<TunnelServer> Log { get; }

    public static async Task<TunnelRig> StartAsync(CancellationToken cancellationToken, string? psk = null, TunnelOptions? options = null, TimeProvider? time = null)
    {
        var overlay = await OverlayPair.StartAsync(psk, cancellationToken);
        var instances = new RecordingInstances();
        var log = new LogCapture<TunnelServer>();
        var server = new TunnelServer(instances, options ?? new TunnelOptions(), log, time);
        server.Register(overlay.Node);
        return new TunnelRig(overlay, instances, server, log);
    }

    /// <summary>Opens a tunnel from the proxy to <paramref name="instanceId"/> on the node.</summary>
    public async Task<TunnelStream> OpenAsync(string instanceId, CancellationToken cancellationToken) =>
        (TunnelStream)await TunnelClient.OpenAsync(Overlay.Proxy, Overlay.Node.PeerId, instanceId, cancellationToken);

    /// <summary>Sends <paramref name="raw"/> as the whole opening (no client library), half-closes, and returns the answer (null if none).</summary>
    public async Task<TunnelAnswer?> SendRawAsync(byte[] raw, CancellationToken cancellationToken)
    {
        await using var stream = await Overlay.Proxy.NewStreamAsync(Overlay.Node.PeerId, [TunnelWire.ProtocolId], cancellationToken);
        try
        {
            await stream.Stream.WriteAsync(raw, cancellationToken);
            await stream.CloseWriteAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The node may have answered and closed before reading everything.
        }

        try
        {
            var answer = await LengthPrefixedMessage.ReadAsync(stream.Stream, TunnelWire.MaxAnswerBytes, cancellationToken);
            return System.Text.Json.JsonSerializer.Deserialize<TunnelAnswer>(answer, TunnelWire.Json);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends <paramref name="payload"/> through <paramref name="tunnel"/> while reading, half-closes, and returns everything read.</summary>
    public static async Task<byte[]> ExchangeAsync(Stream tunnel, byte[] payload, CancellationToken cancellationToken, int chunk = 50_000)
    {
        var receive = Task.Run(async () =>
        {
            using var copy = new MemoryStream();
            await tunnel.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }, cancellationToken);
        for (var offset = 0; offset < payload.Length; offset += chunk)
        {
            await tunnel.WriteAsync(payload.AsMemory(offset, Math.Min(chunk, payload.Length - offset)), cancellationToken);
        }

        await ((TunnelStream)tunnel).CloseWriteAsync(cancellationToken);
        return await receive;
    }

    public static byte[] Payload(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public ValueTask DisposeAsync() => Overlay.DisposeAsync();
}
