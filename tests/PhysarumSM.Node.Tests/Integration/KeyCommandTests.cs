using System.Runtime.Versioning;
using System.Text;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>`physarum keygen` and `physarum psk` through the real CLI: the secrets are made right and never overwritten.</summary>
[SupportedOSPlatform("linux")]   // file modes are checked as Unix permissions
public sealed class KeyCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-keys-").FullName;

    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Keygen_creates_a_private_key_file_once_and_prints_its_peer_id_every_time()
    {
        using var guard = Guard();
        var path = Path.Combine(_directory, "sub", "node.key");

        var created = await CliProcess.RunAsync(["keygen", path], guard.Token);
        Assert.True(created.ExitCode == 0, created.ToString());
        var peerId = created.Output.Trim();
        Assert.StartsWith("12D3KooW", peerId, StringComparison.Ordinal);   // an Ed25519 identity's peer ID
        Assert.Contains($"created {path}", created.Error, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var bytes = await File.ReadAllBytesAsync(path, guard.Token);

        var again = await CliProcess.RunAsync(["keygen", path], guard.Token);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(peerId, again.Output.Trim());
        Assert.Contains("already holds an identity; kept it", again.Error, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, guard.Token));
    }

    [Fact]
    public async Task Keygen_refuses_an_unusable_file_and_leaves_it_as_it_was()
    {
        using var guard = Guard();
        var path = Path.Combine(_directory, "broken.key");
        await File.WriteAllTextAsync(path, "not a key", guard.Token);

        var result = await CliProcess.RunAsync(["keygen", path], guard.Token);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains($"identity key file '{path}' is unusable", result.Error, StringComparison.Ordinal);
        Assert.Equal("not a key", await File.ReadAllTextAsync(path, guard.Token));
    }

    [Fact]
    public async Task Psk_makes_a_fresh_strong_passphrase_each_time()
    {
        using var guard = Guard();
        var first = await CliProcess.RunAsync(["psk"], guard.Token);
        var second = await CliProcess.RunAsync(["psk"], guard.Token);

        Assert.True(first.ExitCode == 0, first.ToString());
        var passphrase = first.Output.Trim();
        Assert.Matches("^[A-Za-z0-9_-]{43}$", passphrase);   // 32 random bytes, shell-safe
        Assert.NotEqual(passphrase, second.Output.Trim());
        Assert.Contains(PreSharedKey.FromPassphrase(passphrase).Fingerprint, first.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Psk_writes_the_passphrase_key_as_a_swarm_key_file_and_never_overwrites_one()
    {
        using var guard = Guard();
        var path = Path.Combine(_directory, "swarm.key");

        var written = await CliProcess.RunAsync(["psk", "--psk", "integration-psk", "--swarm-key", path], guard.Token);
        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.Empty(written.Output);   // the passphrase was given, so it is not echoed
        var text = await File.ReadAllBytesAsync(path, guard.Token);
        Assert.Equal(PreSharedKey.FromPassphrase("integration-psk").Fingerprint, PreSharedKey.FromKeyFile(text).Fingerprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var refused = await CliProcess.RunAsync(["psk", "--psk", "other", "--swarm-key", path], guard.Token);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("never overwritten", refused.Error, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllBytesAsync(path, guard.Token));
        Assert.StartsWith("/key/swarm/psk/1.0.0/\n/base16/\n", Encoding.ASCII.GetString(text), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
