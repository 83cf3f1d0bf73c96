using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Protocols.Diagnostics;
using PhysarumSM.Libp2p.Protocols.Ping;

namespace PhysarumSM.Bench;

/// <summary>
/// The C# twin of tests/interop-js/peer.mjs: same flags, same JSON-lines commands, so the benchmark
/// drives both stacks through one code path and compares like with like.
/// </summary>
internal static class BenchPeer
{
    public static async Task<int> ServeAsync(string[] args)
    {
        string? psk = null;
        var listen = "/ip4/127.0.0.1/tcp/0";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--psk": psk = args[++i]; break;
                case "--listen": listen = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        await using var host = new Libp2pHost(IdentityKey.Generate(), new Libp2pHostOptions
        {
            ListenAddresses = [listen],
            PreSharedKey = psk is null ? null : PreSharedKey.FromPassphrase(psk),
        });
        DiagnosticProtocols.Register(host);
        await host.StartAsync();
        Emit(new JsonObject
        {
            ["event"] = "ready",
            ["peerId"] = host.PeerId.ToString(),
            ["addrs"] = new JsonArray(host.ListenAddresses.Select(a => (JsonNode)a.WithPeerId(host.PeerId).ToString()).ToArray()),
        });

        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null)
        {
            var command = JsonNode.Parse(line)!.AsObject();
            var id = command["id"]!.GetValue<int>();
            try
            {
                var result = await ExecuteAsync(host, command);
                if (result is null)
                {
                    Emit(new JsonObject { ["id"] = id, ["ok"] = true });
                    return 0;
                }

                result["id"] = id;
                result["ok"] = true;
                Emit(result);
            }
            catch (Exception ex)
            {
                Emit(new JsonObject { ["id"] = id, ["ok"] = false, ["error"] = ex.Message });
            }
        }

        return 0;
    }

    private static async Task<JsonObject?> ExecuteAsync(Libp2pHost host, JsonObject command)
    {
        var cmd = command["cmd"]!.GetValue<string>();
        if (cmd == "stop")
        {
            return null;
        }

        var address = Multiaddr.Parse(command["addr"]!.GetValue<string>());
        var connection = await host.ConnectAsync(address);
        switch (cmd)
        {
            case "dial":
                return new JsonObject { ["peer"] = connection.RemotePeer.ToString() };
            case "ping":
            {
                // Timed like peer.mjs's rttMs: stream open and negotiation plus one 32-byte round trip.
                var started = Stopwatch.GetTimestamp();
                await using var client = await PingClient.OpenAsync(connection, CancellationToken.None);
                await client.PingAsync(CancellationToken.None);
                return new JsonObject { ["rttMs"] = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
            }

            case "sink" or "source":
            {
                var streams = command["streams"]?.GetValue<int>() ?? 1;
                var bytes = command["bytes"]!.GetValue<long>();
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => cmd == "sink"
                    ? PushAsync(connection, bytes)
                    : PullAsync(connection, bytes)));
                var seconds = watch.Elapsed.TotalSeconds;
                return new JsonObject
                {
                    ["ms"] = seconds * 1000,
                    ["bytes"] = bytes * streams,
                    ["mbPerSec"] = bytes * streams / seconds / 1e6,
                };
            }

            default:
                throw new ArgumentException($"unknown command '{cmd}'");
        }
    }

    private static async Task PushAsync(Libp2pConnection connection, long bytes)
    {
        await using var stream = await connection.NewStreamAsync([DiagnosticProtocols.Sink], CancellationToken.None);
        await DiagnosticProtocols.WriteFillAsync(stream.Stream, bytes, CancellationToken.None);
        await stream.CloseWriteAsync();
        var count = new byte[8];
        await stream.Stream.ReadExactlyAsync(count);
        if ((long)BinaryPrimitives.ReadUInt64BigEndian(count) != bytes)
        {
            throw new InvalidOperationException("sink counted a different number of bytes");
        }
    }

    private static async Task PullAsync(Libp2pConnection connection, long bytes)
    {
        await using var stream = await connection.NewStreamAsync([DiagnosticProtocols.Source], CancellationToken.None);
        var count = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(count, (ulong)bytes);
        await stream.Stream.WriteAsync(count);
        await stream.CloseWriteAsync();
        var received = await DiagnosticProtocols.DrainAsync(stream.Stream, CancellationToken.None);
        if (received != bytes)
        {
            throw new InvalidOperationException($"source sent {received} bytes, asked for {bytes}");
        }
    }

    private static void Emit(JsonObject message) => Console.Out.WriteLine(message.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
}
