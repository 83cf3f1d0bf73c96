using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Runtime;
using PhysarumSM.Containers.Tests.Docker;

namespace PhysarumSM.Containers.Tests.Runtime;

/// <summary>
/// A registry that wants a login (Debian's docker-registry with htpasswd): pushes and pulls use the login `docker login`
/// saved in a config.json, and without it (or with a wrong one) both fail saying what to do.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class RegistryLoginTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>, IAsyncLifetime
{
    private const string User = "physarum";
    private const string Password = "s3cret:with-colon";

    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private readonly string _logins = Directory.CreateTempSubdirectory("physarum-logins-").FullName;
    private readonly string _noLogins = Directory.CreateTempSubdirectory("physarum-no-logins-").FullName;
    private LocalRegistry _registry = null!;

    private IDockerClient Client => fixture.Engine.Client;

    public async Task InitializeAsync() => _registry = await LocalRegistry.StartAsync((User, Password));

    [Fact]
    public async Task Push_and_pull_use_the_saved_login_and_fail_clearly_without_one_or_with_a_wrong_one()
    {
        var tagged = await CommitAsync("login-hello");
        string? digested = null;
        try
        {
            // No login saved: the registry refuses, and the error says how to log in.
            var anonymous = await Assert.ThrowsAsync<ImageBuildException>(() => new ImagePusher(Client, new RegistryLogins(_noLogins)).PushAsync(tagged));
            Assert.Contains($"registry {_registry.Host} wants a login", anonymous.Message, StringComparison.Ordinal);
            Assert.Contains($"docker login {_registry.Host}", anonymous.Message, StringComparison.Ordinal);

            // A wrong password: refused, naming the user whose login failed.
            await SaveLoginAsync(User, "wrong");
            var wrong = await Assert.ThrowsAsync<ImageBuildException>(() => new ImagePusher(Client, new RegistryLogins(_logins)).PushAsync(tagged));
            Assert.Contains($"refused the login for user '{User}'", wrong.Message, StringComparison.Ordinal);

            // The saved login (`auth`, base64 of user:password, as docker login writes it): the push goes through.
            await SaveLoginAsync(User, Password);
            digested = await new ImagePusher(Client, new RegistryLogins(_logins)).PushAsync(tagged);
            Assert.StartsWith($"{_registry.Host}/physarum-test/login-hello@sha256:", digested, StringComparison.Ordinal);
            await Client.Images.DeleteImageAsync(tagged, new ImageDeleteParameters());
            await DeleteIfPresentAsync(digested);

            // A node without the login cannot pull it, and says why.
            using (var withoutLogin = new ContainerRuntime(Client, new ContainerRuntimeOptions { DockerConfigDirectory = _noLogins }))
            {
                var refused = await Assert.ThrowsAsync<ContainerStartException>(() => withoutLogin.RunAsync(fixture.Spec("login-refused", digested)).WaitAsync(Guard));
                Assert.Contains($"pulling it from registry {_registry.Host} failed", refused.Message, StringComparison.Ordinal);
                Assert.Contains($"docker login {_registry.Host}", refused.Message, StringComparison.Ordinal);
            }

            // With it, the node pulls and runs the service.
            using var runtime = new ContainerRuntime(Client, new ContainerRuntimeOptions { DockerConfigDirectory = _logins });
            var running = await runtime.RunAsync(fixture.Spec("login-pulled", digested)).WaitAsync(Guard);
            await runtime.WaitReadyAsync(running);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal("Hello, world\n", await http.GetStringAsync(running.LoopbackAddress()));
            Assert.Equal(1, runtime.PullCount);
            await runtime.RemoveAsync(running.Id);
        }
        finally
        {
            await DeleteIfPresentAsync(tagged);
            if (digested is not null)
            {
                await DeleteIfPresentAsync(digested);
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_logins, recursive: true);
        Directory.Delete(_noLogins, recursive: true);
    }

    private Task SaveLoginAsync(string user, string password) =>
        File.WriteAllTextAsync(Path.Combine(_logins, "config.json"),
            $$"""{ "auths": { "{{_registry.Host}}": { "auth": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))}}" } } }""");

    /// <summary>A HelloWorld image of this test's own, tagged for the registry (committed, so no other tag shares its id).</summary>
    private async Task<string> CommitAsync(string name)
    {
        var tagged = $"{_registry.Host}/physarum-test/{name}:logintest";
        var container = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = fixture.HelloWorldImage,
            Labels = new Dictionary<string, string> { [RuntimeFixture.RunLabel] = fixture.RunId },
        });
        try
        {
            await Client.Images.CommitContainerChangesAsync(new CommitContainerChangesParameters
            {
                ContainerID = container.ID,
                RepositoryName = $"{_registry.Host}/physarum-test/{name}",
                Tag = "logintest",
            });
        }
        finally
        {
            await TestImages.RemoveContainerAsync(Client, container.ID);
        }

        return tagged;
    }

    private Task DeleteIfPresentAsync(string reference) => TestImages.UntagAsync(Client, reference);
}
