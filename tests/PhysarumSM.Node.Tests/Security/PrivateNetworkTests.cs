using System.Globalization;
using System.Net.Sockets;
using System.Text;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Gateway.Resolve;
using PhysarumSM.Gateway.Tunnel;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Node.Overlay;
using PhysarumSM.Node.Registry;
using PhysarumSM.Node.Tests.Integration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Security;

/// <summary>
/// The project's overlay protocols (tunnel, resolve, registry, member add, peer exchange) are out of reach of any peer
/// outside the PSK network by construction: pnet wraps the whole connection before Noise and multistream, so without
/// the key no connection exists to open a stream on. Shown against a real node, with the real clients of each protocol.
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class PrivateNetworkTests
{
    private const string Psk = "private-network-tests-psk";

    /// <summary>Every /physarum/ protocol a registry + allocator node serves (grep '"/physarum/' src).</summary>
    private static readonly string[] NodeProtocols =
        [TunnelWire.ProtocolId, ResolveWire.ProtocolId, RegistryWire.ProtocolId, MemberAddProtocol.ProtocolId, PeerExchange.ProtocolId];

    [Fact]
    public async Task Peers_with_a_wrong_or_no_psk_open_no_stream_and_the_node_keeps_serving()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = guard.Token;
        await EtcdServer.EnsureInstalledAsync(ct);
        await using var docker = await DockerEngine.StartAsync(ct);  // the tunnel is served by allocator nodes only
        await using var mesh = new TestMesh();
        var etcd = FreePorts.Take(2);
        var node = await mesh.StartNodeAsync(ct, psk: Psk, flags:
        [
            "-new-etcd-cluster", "-etcd-ip", "127.0.0.1",
            "-etcd-client-port", etcd[0].ToString(CultureInfo.InvariantCulture),
            "-etcd-peer-port", etcd[1].ToString(CultureInfo.InvariantCulture),
            "-data-dir", Path.Combine(mesh.Directory, "registry"),
        ]);
        var address = Multiaddr.Parse(node.Address);
        var peer = address.PeerId!;

        // The control: a peer with the PSK reaches every protocol, so a refusal below is the PSK's doing, not a wrong id.
        await using (var insider = Peer(PreSharedKey.FromPassphrase(Psk), address))
        {
            await AssertServesAsync(insider, peer, ct);
        }

        var linesBefore = node.Lines.Count;
        foreach (var (outsiderKey, what) in new[] { (PreSharedKey.FromPassphrase("not-" + Psk), "a different PSK"), ((PreSharedKey?)null, "no PSK") })
        {
            await using var outsider = Peer(outsiderKey, address);

            // A bare dial fails in the handshake, before any protocol can even be named.
            var dial = await Assert.ThrowsAsync<HandshakeException>(() => outsider.ConnectAsync(address, ct));
            Assert.Contains("PSK", dial.Message, StringComparison.Ordinal);

            foreach (var protocol in NodeProtocols)
            {
                var opened = false;
                await AssertHandshakeFailsAsync(async () =>
                {
                    await using var stream = await outsider.NewStreamAsync(peer, [protocol], ct);
                    opened = true;
                });
                Assert.False(opened, $"{what}: a {protocol} stream opened");
            }

            // The protocols' own clients fail the same way: a tunnel, a resolve and a registry request get nowhere.
            await AssertHandshakeFailsAsync(() => TunnelClient.OpenAsync(outsider, peer, "any/instance/0", ct));
            await AssertHandshakeFailsAsync(() => ResolveClient.ResolveAsync(outsider, peer, "any-service", ct));
            await using (var registry = new RegistryClient(new OverlaySettings([address], outsiderKey is null ? null : "not-" + Psk)))
            {
                var refused = await Assert.ThrowsAsync<CliException>(() => registry.SendAsync(new RegistryRequest { Op = "list" }, ct));
                Assert.Contains("PSK", refused.Message, StringComparison.Ordinal);
            }

            Assert.Empty(outsider.ConnectedPeers);
        }

        // A burst of outsiders at once (bounded) and a raw socket speaking plaintext multistream: nothing answers in the clear.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            await using var outsider = Peer(i % 2 == 0 ? null : PreSharedKey.FromPassphrase($"guess-{i}"), address);
            await AssertHandshakeFailsAsync(() => outsider.NewStreamAsync(peer, [RegistryWire.ProtocolId], ct));
        }));
        var answer = await PlaintextProposalAsync(node.Ports.P2p, RegistryWire.ProtocolId, ct);
        Assert.DoesNotContain("/multistream/1.0.0", answer, StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryWire.ProtocolId, answer, StringComparison.Ordinal);

        // The node kept serving: still running, a PSK peer reaches every protocol, the CLI lists the registry.
        Assert.False(node.Exited.IsCompleted, string.Join('\n', node.Lines));
        await using (var insider = Peer(PreSharedKey.FromPassphrase(Psk), address))
        {
            await AssertServesAsync(insider, peer, ct);
        }

        var list = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", Psk, "service", "list"], ct);
        Assert.True(list.ExitCode == 0, list.ToString());
        var wrongCli = await CliProcess.RunAsync(["--bootstrap", node.Address, "--psk", "not-" + Psk, "--timeout", "30", "service", "list"], ct);
        Assert.True(wrongCli.ExitCode == 3, wrongCli.ToString());   // 3: the mesh is unreachable with this key
        Assert.Contains("psk", wrongCli.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not-" + Psk, wrongCli.Output + wrongCli.Error, StringComparison.Ordinal); // a wrong key is a secret too

        // The node said why it refused, in bounded one-line messages: no raw bytes, no control characters, no key.
        var said = node.Lines.Skip(linesBefore).ToList();
        Assert.Contains(said, l => l.Contains("inbound handshake", StringComparison.Ordinal) && l.Contains("PSK", StringComparison.Ordinal));
        Assert.All(said, l =>
        {
            Assert.DoesNotContain(l, char.IsControl);
            Assert.DoesNotContain(Psk, l, StringComparison.Ordinal);
        });
        Assert.All(said.Where(l => l.Contains("handshake", StringComparison.Ordinal)), l => Assert.True(l.Length < 600, l));
    }

    /// <summary>The call fails with an I/O error whose cause is a failed connection handshake (the PSK layer), nothing later.</summary>
    private static async Task AssertHandshakeFailsAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<IOException>(call);
        var causes = new List<Exception>();
        for (var pending = new Queue<Exception>([error]); pending.TryDequeue(out var next);)
        {
            causes.Add(next);
            foreach (var inner in next is AggregateException aggregate ? aggregate.InnerExceptions : next.InnerException is { } one ? [one] : [])
            {
                pending.Enqueue(inner);
            }
        }

        Assert.True(causes.OfType<HandshakeException>().Any(), error.ToString());
    }

    /// <summary>A dial-only host knowing the node's address, with a short handshake deadline.</summary>
    private static Libp2pHost Peer(PreSharedKey? key, Multiaddr node)
    {
        var host = new Libp2pHost(IdentityKey.Generate(), new Libp2pHostOptions { PreSharedKey = key, HandshakeTimeout = TimeSpan.FromSeconds(5) });
        host.PeerStore.AddAddresses(node.PeerId!, [node.WithoutPeerId()]);
        return host;
    }

    /// <summary>Every node protocol negotiates; the tunnel and resolve protocols answer their own requests.</summary>
    private static async Task AssertServesAsync(Libp2pHost insider, PeerId node, CancellationToken ct)
    {
        foreach (var protocol in NodeProtocols)
        {
            await using var stream = await insider.NewStreamAsync(node, [protocol], ct);
            Assert.Equal(protocol, stream.Protocol);
        }

        var refused = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(insider, node, "any/instance/0", ct));
        Assert.Equal(TunnelRefusalCode.NotFound, refused.Code);
        await Assert.ThrowsAsync<PhysarumSM.Gateway.Routing.ServiceNotFoundException>(() => ResolveClient.ResolveAsync(insider, node, "any-service", ct));
    }

    /// <summary>
    /// What a peer without the PSK would send on a raw socket: the multistream header and a proposal. Returns what came
    /// back until the node closed the connection (its pnet nonce and ciphertext, never a plaintext answer).
    /// </summary>
    private static async Task<string> PlaintextProposalAsync(int port, string protocol, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, ct);
        var proposal = new List<byte>();
        foreach (var line in new[] { "/multistream/1.0.0\n", protocol + "\n" })
        {
            proposal.Add((byte)line.Length);
            proposal.AddRange(Encoding.ASCII.GetBytes(line));
        }

        await socket.SendAsync(proposal.ToArray(), SocketFlags.None, ct);
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (SocketException)
        {
            // A reset is as good as a close: the node dropped us.
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }
}
