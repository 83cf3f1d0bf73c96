using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhysarumSM.Client;
using PhysarumSM.Node.Cluster;
using PhysarumSM.Node.Tests.Integration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Security;

/// <summary>
/// Orleans TLS (<c>-cluster-cert</c>): nodes holding the cluster certificate form one cluster over mutual TLS; a node or
/// an Orleans client with another certificate, or with none, cannot join or connect; a certificate file that cannot be
/// used stops the node with one line naming the flag. Certificates are made here with CertificateRequest, as
/// deploy/make-cluster-cert.sh makes them with openssl (self-signed ECDSA P-256, no extensions needed).
/// </summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class ClusterTlsTests : IDisposable
{
    private const string Password = "cluster-cert-test-password";

    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Nodes_with_the_cluster_certificate_form_one_cluster_and_nodes_or_clients_without_it_cannot_join()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var ct = guard.Token;
        var cluster = WritePfx("cluster.pfx", SelfSigned("physarum-cluster"), Password);
        var other = WritePfx("other.pfx", SelfSigned("physarum-cluster"), password: null);   // same name, different key
        await using var mesh = new TestMesh();

        // A (primary silo) takes the password as a flag, B from the environment.
        var a = await mesh.StartNodeAsync(ct, flags: ["-cluster-cert", cluster, "-cluster-cert-password", Password]);
        var bPorts = NodePorts.Allocate();
        await using var b = NodeProcess.Start(bPorts,
            NodeProcess.Flags(bPorts, Path.Combine(mesh.Directory, "b.key"), a.Ports.Silo, TestMesh.Psk, "-bootstrap", a.Address, "-cluster-cert", cluster),
            new Dictionary<string, string> { ["PHYSARUM_CLUSTER_CERT_PASSWORD"] = Password });
        await b.WaitReadyAsync(ct);
        Assert.Contains(a.Lines, l => l.StartsWith("orleans tls: CN=physarum-cluster, sha-256 ", StringComparison.Ordinal));

        // One cluster: each node's registration reaches the mesh directory, wherever its grain lives.
        await Eventually.HoldsAsync(async () => await ListedAsync(mesh, a, b.PeerId, ct) && await ListedAsync(mesh, b, a.PeerId, ct), ct, "A and B see each other");

        // An Orleans client with the certificate lists both nodes and both silos.
        using (var client = await StartClientAsync(a, cluster, Password, ct))
        {
            var nodes = await client.Services.GetRequiredService<IPhysarumClient>().NodesAsync(ct);
            Assert.Contains(nodes, n => n.Info.PeerId == a.PeerId);
            Assert.Contains(nodes, n => n.Info.PeerId == b.PeerId);
            Assert.Equal(2, await ActiveSilosAsync(client, ct));
        }

        // Clients without the certificate, or with another one, cannot connect to the gateway. (Checked while A and B are
        // the only silos, so every refusal A logs is the client's.)
        await AssertClientRefusedAsync(a, certificate: null, password: null, ct);
        await AssertClientRefusedAsync(a, other, password: null, ct);

        // C holds another certificate: both ends refuse the handshake, C never becomes ready and is not listed.
        var refusedBefore = Count(a, "TlsServerConnectionMiddleware", "Authentication failed");
        var c = await mesh.StartNodeAsync(ct, waitReady: false, flags: ["-cluster-cert", other]);
        await Eventually.HoldsAsync(() => Task.FromResult(Count(c, "TlsClientConnectionMiddleware", "Authentication failed") >= 2), ct, "C's silo tried and was refused twice");
        await Eventually.HoldsAsync(() => Task.FromResult(Count(a, "TlsServerConnectionMiddleware", "Authentication failed") > refusedBefore), ct, "A refused C's certificate");
        await AssertOutsideAsync(mesh, a, c, ct);

        // D has no certificate at all: it speaks plaintext, which A refuses. (C is stopped first: A's refusals are D's.)
        await c.StopAsync(ct);
        refusedBefore = Count(a, "TlsServerConnectionMiddleware", "Authentication failed");
        var d = await mesh.StartNodeAsync(ct, waitReady: false);
        await Eventually.HoldsAsync(() => Task.FromResult(Count(a, "TlsServerConnectionMiddleware", "Authentication failed") >= refusedBefore + 2), ct, "A refused D's plaintext twice");
        await AssertOutsideAsync(mesh, a, d, ct);

        using (var client = await StartClientAsync(a, cluster, Password, ct))
        {
            Assert.Equal(2, await ActiveSilosAsync(client, ct));
        }

        // The password never shows.
        Assert.DoesNotContain(a.Lines.Concat(b.Lines), l => l.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_certificate_file_that_cannot_be_used_stops_the_node_with_one_line_naming_the_flag()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = guard.Token;
        var good = WritePfx("good.pfx", SelfSigned("physarum-cluster"), Password);
        var keyless = WritePfx("keyless.pfx", X509CertificateLoader.LoadCertificate(SelfSigned("physarum-cluster").RawData), Password);
        var cases = new (string[] Flags, int Exit, string Says)[]
        {
            (["-cluster-cert", Path.Combine(_directory, "missing.pfx")], 1, "no such file"),
            (["-cluster-cert", good, "-cluster-cert-password", "not-the-password"], 1, "the password is wrong"),
            (["-cluster-cert", good], 1, "the password is wrong or missing"),
            (["-cluster-cert", keyless, "-cluster-cert-password", Password], 1, "holds no private key"),
            (["-cluster-cert-password", Password], 2, "needs -cluster-cert"),
        };
        foreach (var (flags, exit, says) in cases)
        {
            var ports = NodePorts.Allocate();
            await using var node = NodeProcess.Start(ports, [.. NodeProcess.Flags(ports, "/dev/null", ports.Silo, psk: null), "-ephemeral", .. flags]);
            Assert.Equal(exit, await node.Exited.WaitAsync(ct));
            var line = Assert.Single(node.Lines);
            Assert.StartsWith("physarum-node: -cluster-cert", line, StringComparison.Ordinal);
            Assert.Contains(says, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, line, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Loading_checks_the_file_the_password_the_key_and_the_dates()
    {
        var now = DateTimeOffset.UtcNow;
        var good = WritePfx("good.pfx", SelfSigned("physarum-cluster"), Password);
        using (var loaded = ClusterCertificate.Load(good, Password, now))
        {
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal("CN=physarum-cluster", loaded.Subject);
        }

        var noPassword = WritePfx("open.pfx", SelfSigned("physarum-cluster"), password: null);
        ClusterCertificate.Load(noPassword, null, now).Dispose();

        var pem = Path.Combine(_directory, "cert.pem");
        File.WriteAllText(pem, SelfSigned("physarum-cluster").ExportCertificatePem());
        var expired = WritePfx("expired.pfx", SelfSigned("physarum-cluster", now.AddDays(-30), now.AddDays(-1)), Password);
        var keyless = WritePfx("keyless.pfx", X509CertificateLoader.LoadCertificate(SelfSigned("physarum-cluster").RawData), Password);
        var serverOnly = WritePfx("server-only.pfx", SelfSigned("physarum-cluster", usages: ["1.3.6.1.5.5.7.3.1"]), Password);
        var bothUsages = WritePfx("both.pfx", SelfSigned("physarum-cluster", usages: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]), Password);
        ClusterCertificate.Load(bothUsages, Password, now).Dispose();
        foreach (var (path, password, says) in new (string, string?, string)[]
        {
            (Path.Combine(_directory, "nope", "missing.pfx"), Password, "no such file"),
            (good, "wrong", "the password is wrong ("),
            (good, null, "the password is wrong or missing"),
            (pem, null, "not a PKCS#12 (.pfx) file"),
            (keyless, Password, "holds no private key"),
            (expired, Password, "valid only from"),
            (serverOnly, Password, "must allow both TLS server and client authentication"),
        })
        {
            var error = Assert.Throws<ClusterCertificateException>(() => ClusterCertificate.Load(path, password, now));
            Assert.StartsWith($"-cluster-cert {path}: ", error.Message, StringComparison.Ordinal);
            Assert.Contains(says, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
            Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Only_the_pinned_certificate_is_accepted()
    {
        using var cluster = SelfSigned("physarum-cluster");
        using var sameName = SelfSigned("physarum-cluster");
        var pinned = cluster.GetCertHash(HashAlgorithmName.SHA256);
        Assert.True(ClusterTls.IsPinned(X509CertificateLoader.LoadCertificate(cluster.RawData), pinned));
        Assert.False(ClusterTls.IsPinned(sameName, pinned));
        Assert.False(ClusterTls.IsPinned(null, pinned));
    }

    /// <summary>A self-signed ECDSA P-256 certificate with its key, as deploy/make-cluster-cert.sh makes one (optionally with extended key usages).</summary>
    private static X509Certificate2 SelfSigned(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? usages = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        if (usages is not null)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(30));
    }

    private string WritePfx(string name, X509Certificate2 certificate, string? password)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        certificate.Dispose();
        return path;
    }

    /// <summary><paramref name="outsider"/> never became ready and is not in the mesh directory.</summary>
    private static async Task AssertOutsideAsync(TestMesh mesh, NodeProcess member, NodeProcess outsider, CancellationToken ct)
    {
        Assert.DoesNotContain("physarum-node ready", outsider.Lines);
        Assert.False(await ListedAsync(mesh, member, outsider.PeerId, ct), $"{outsider.PeerId} joined");
    }

    private static int Count(NodeProcess node, string category, string message) =>
        node.Lines.Count(l => l.Contains(category, StringComparison.Ordinal) && l.Contains(message, StringComparison.Ordinal));

    private static async Task<bool> ListedAsync(TestMesh mesh, NodeProcess at, string peerId, CancellationToken ct) =>
        (await mesh.Http.GetStringAsync(new Uri(at.Ports.AdminUri, "api/nodes"), ct)).Contains(peerId, StringComparison.Ordinal);

    private static async Task<int> ActiveSilosAsync(IHost client, CancellationToken ct) =>
        (await client.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;

    /// <summary>PhysarumSM.Client on <paramref name="node"/>'s Orleans gateway, as an integrator sets it up.</summary>
    private static async Task<IHost> StartClientAsync(NodeProcess node, string? certificate, string? password, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddPhysarumClient(o =>
        {
            o.Gateways = [$"127.0.0.1:{node.Ports.Gateway}"];
            o.ClusterCertificatePath = certificate;
            o.ClusterCertificatePassword = password;
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(ct);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A client without the cluster certificate (or with another) is refused by the node's gateway. Why
    /// not wait for its start to fail: Orleans clients keep retrying a gateway that drops them; the node's refusals are
    /// the event to wait for, and the client must never have connected by then.
    /// </summary>
    private static async Task AssertClientRefusedAsync(NodeProcess node, string? certificate, string? password, CancellationToken ct)
    {
        var refusedBefore = Count(node, "TlsServerConnectionMiddleware", "Authentication failed");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var attempt = Task.Run(async () =>
        {
            using var client = await StartClientAsync(node, certificate, password, stop.Token);
            return await client.Services.GetRequiredService<IPhysarumClient>().NodesAsync(stop.Token);
        }, CancellationToken.None);
        await Eventually.HoldsAsync(
            () => Task.FromResult(attempt.IsCompleted || Count(node, "TlsServerConnectionMiddleware", "Authentication failed") > refusedBefore),
            ct, "the node refused the client");
        Assert.False(attempt.IsCompletedSuccessfully, "a client without the cluster certificate listed the nodes");
        await stop.CancelAsync();
        await Record.ExceptionAsync(() => attempt);
    }
}
