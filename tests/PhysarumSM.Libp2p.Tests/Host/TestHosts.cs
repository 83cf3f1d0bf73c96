using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Protocols.Diagnostics;

namespace PhysarumSM.Libp2p.Tests.Host;

/// <summary>Starts C# hosts on loopback with the diagnostic protocols registered.</summary>
internal static class TestHosts
{
    public static async Task<Libp2pHost> StartAsync(string? psk = null, Action<Libp2pHostOptions>? configure = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var options = new Libp2pHostOptions
        {
            ListenAddresses = ["/ip4/127.0.0.1/tcp/0"],
            PreSharedKey = psk is null ? null : PreSharedKey.FromPassphrase(psk),
            HandshakeTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var host = new Libp2pHost(IdentityKey.Generate(), options, loggerFactory);
        DiagnosticProtocols.Register(host);
        await host.StartAsync();
        return host;
    }

    /// <summary>Deterministic per-stream payload so each echo can be checked byte for byte.</summary>
    public static byte[] Payload(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends <paramref name="payload"/> on a new echo stream and returns what came back.</summary>
    public static async Task<byte[]> EchoAsync(Libp2pConnection connection, byte[] payload, CancellationToken cancellationToken)
    {
        await using var stream = await connection.NewStreamAsync([DiagnosticProtocols.Echo], cancellationToken);
        var receive = Task.Run(async () =>
        {
            using var copy = new MemoryStream();
            await stream.Stream.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }, cancellationToken);
        for (var offset = 0; offset < payload.Length; offset += 50_000)
        {
            await stream.Stream.WriteAsync(payload.AsMemory(offset, Math.Min(50_000, payload.Length - offset)), cancellationToken);
        }

        await stream.CloseWriteAsync(cancellationToken);
        return await receive;
    }
}
