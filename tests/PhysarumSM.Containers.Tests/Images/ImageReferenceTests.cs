using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Tests.Images;

/// <summary>Repository names for DockerHash (repo@digest), and what a node may pull.</summary>
public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("hello-world-server", "hello-world-server")]
    [InlineData("hello-world-server:1.0", "hello-world-server")]
    [InlineData("user/hello:1.0", "user/hello")]
    [InlineData("127.0.0.1:5000/user/hello:1.0", "127.0.0.1:5000/user/hello")]
    [InlineData("127.0.0.1:5000/user/hello", "127.0.0.1:5000/user/hello")]
    [InlineData("127.0.0.1:5000/hello@sha256:abc", "127.0.0.1:5000/hello")]
    [InlineData("127.0.0.1:5000/hello:1.0@sha256:abc", "127.0.0.1:5000/hello")]
    public void RepositoryDropsTagAndDigest(string reference, string repository) =>
        Assert.Equal(repository, ImageReference.Repository(reference));

    [Theory]
    [InlineData("127.0.0.1:5000/hello@" + Digest, "127.0.0.1:5000")]
    [InlineData("machine-a:5000/hello-world-server:1.0", "machine-a:5000")]
    [InlineData("registry.example/team/app:2", "registry.example")]
    [InlineData("localhost/app:2", "localhost")]
    [InlineData("[::1]:5000/app:2", "[::1]:5000")]
    public void ARegistryHostIsTheFirstComponentWithADotAPortOrLocalhost(string reference, string registry) =>
        Assert.Equal(registry, ImageReference.Registry(reference));

    [Theory]
    [InlineData("physarum-test/hello-world-server:x")]
    [InlineData("hello-world-server:1.0")]
    [InlineData("hello-world-server")]
    [InlineData("user/app@" + Digest)]
    [InlineData(Digest)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void LocalOnlyReferencesAndImageIdsNameNoRegistry(string reference) =>
        Assert.Null(ImageReference.Registry(reference));

    [Theory]
    [InlineData("127.0.0.1:5000/hello@" + Digest, "127.0.0.1:5000/hello", Digest)]
    [InlineData("127.0.0.1:5000/hello:pulltest@" + Digest, "127.0.0.1:5000/hello", Digest)]
    [InlineData("127.0.0.1:5000/team/hello:pulltest", "127.0.0.1:5000/team/hello", "pulltest")]
    [InlineData("127.0.0.1:5000/hello", "127.0.0.1:5000/hello", "latest")]
    public void APullAsksForTheDigestElseTheTagElseLatest(string reference, string repository, string tagOrDigest) =>
        Assert.Equal((repository, tagOrDigest), ImageReference.PullTarget(reference));

    [Theory]
    [InlineData("hello:1.0", true)]
    [InlineData("", false)]
    [InlineData("hello world", false)]
    [InlineData("hello\n", false)]
    public void LooksValid(string reference, bool valid) => Assert.Equal(valid, ImageReference.LooksValid(reference));
}
