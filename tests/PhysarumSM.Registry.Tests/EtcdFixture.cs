using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Registry.Storage;
using PhysarumSM.TestKit;

namespace PhysarumSM.Registry.Tests;

/// <summary>One etcd shared by tests that never stop it; each test isolates itself under its own key prefix.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var guard = Guard.Start();
        Server = await EtcdServer.StartAsync(guard.Token);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Storage options for this etcd under a fresh key prefix.</summary>
    public EtcdStorageOptions Options(string? prefix = null) => new()
    {
        Endpoints = [Server.ClientUrl],
        KeyPrefix = prefix ?? UniquePrefix(),
    };

    public EtcdStateStore Store(EtcdStorageOptions options) => new(options, NullLogger<EtcdStateStore>.Instance);

    public static string UniquePrefix() => "/test-" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>
{
    public const string Name = "shared etcd";
}

/// <summary>A failure guard for waits: cancels after a generous time so a hung test fails instead of hanging.</summary>
internal static class Guard
{
    public static CancellationTokenSource Start(int seconds = 120) => new(TimeSpan.FromSeconds(seconds));
}

/// <summary>
/// The first calls after etcd comes back may still fail while the client reconnects (its reconnect backoff is short
/// but not zero): retry those until they answer, under the guard.
/// </summary>
internal static class Reconnect
{
    public static async Task<T> AfterRestartAsync<T>(Func<Task<T>> call, CancellationToken guard)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is Client.EtcdUnavailableException or Contracts.Registry.RegistryUnavailableException && !guard.IsCancellationRequested)
            {
                await Task.Delay(100, guard);
            }
        }
    }
}
