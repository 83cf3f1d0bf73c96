using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Tests.Images;

/// <summary>Repository names for DockerHash (repo@digest).</summary>
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("hello-world-server", "hello-world-server")]
    [InlineData("hello-world-server:1.0", "hello-world-server")]
    [InlineData("user/hello:1.0", "user/hello")]
    [InlineData("127.0.0.1:5000/user/hello:1.0", "127.0.0.1:5000/user/hello")]
    [InlineData("127.0.0.1:5000/user/hello", "127.0.0.1:5000/user/hello")]
    [InlineData("127.0.0.1:5000/hello@sha256:abc", "127.0.0.1:5000/hello")]
    public void RepositoryDropsTagAndDigest(string reference, string repository) =>
        Assert.Equal(repository, ImageReference.Repository(reference));

    [Theory]
    [InlineData("hello:1.0", true)]
    [InlineData("", false)]
    [InlineData("hello world", false)]
    [InlineData("hello\n", false)]
    public void LooksValid(string reference, bool valid) => Assert.Equal(valid, ImageReference.LooksValid(reference));
}
