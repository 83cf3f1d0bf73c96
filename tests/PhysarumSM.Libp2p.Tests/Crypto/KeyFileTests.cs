using PhysarumSM.Libp2p.Crypto;
using static PhysarumSM.Libp2p.Tests.Crypto.SpecKeyVectors;

namespace PhysarumSM.Libp2p.Tests.Crypto;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "physarum-keyfile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Creates_a_private_file_then_reloads_the_same_identity()
    {
        var path = Path.Combine(_root, "nested", "dir", "identity.key");
        using var created = KeyFile.LoadOrCreate(path);
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal(created.ToProtobuf(), File.ReadAllBytes(path)); // raw go-libp2p PrivateKey bytes

        using var reloaded = KeyFile.LoadOrCreate(path);
        Assert.Equal(created.PeerId, reloaded.PeerId);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp files left behind
    }

    [Fact]
    public void Loads_a_go_libp2p_key_file()
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, "go.key");
        File.WriteAllBytes(path, Bytes(Ed25519PrivateKeyHex));
        using var key = KeyFile.LoadOrCreate(path);
        Assert.Equal(Ed25519PeerId, key.PeerId.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("deadbeef", "unusable")]
    [InlineData(RsaPrivateKeyHex, "got RSA")]
    public void Corrupt_or_foreign_files_are_reported_and_left_alone(string hex, string expected)
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, "bad.key");
        var original = Bytes(hex);
        File.WriteAllBytes(path, original);

        var e = Assert.Throws<InvalidDataException>(() => KeyFile.LoadOrCreate(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("move this one away", e.Message);
        Assert.IsType<FormatException>(e.InnerException);
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void Oversized_files_are_refused_without_reading_them()
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, "huge.key");
        File.WriteAllBytes(path, new byte[100_000]);
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.LoadOrCreate(path));
        Assert.Contains("100000 bytes", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Default_path_is_in_the_home_directory()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".physarum", "identity.key"), KeyFile.DefaultPath);
    }
}
