using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using PhysarumSM.Registry.Cluster;
using PhysarumSM.Registry.Storage;
using PhysarumSM.TestKit;

namespace PhysarumSM.Registry.Tests;

/// <summary>Builds etcd members on free loopback ports in temp data directories, and reads/writes through them.</summary>
internal sealed class MemberHarness : IAsyncDisposable
{
    private readonly List<string> _directories = [];
    private readonly List<EtcdMember> _members = [];

    public static readonly GrainId Service = GrainId.Create("services", "hello-world-server");

    public EtcdMemberOptions NewOptions(bool newCluster)
    {
        var ports = FreePorts.Take(2);
        var directory = Directory.CreateTempSubdirectory("physarum-node-").FullName;
        _directories.Add(directory);
        return new EtcdMemberOptions
        {
            Name = $"node-{ports[0]}",
            Ip = "127.0.0.1",
            ClientPort = ports[0],
            PeerPort = ports[1],
            DataDirectory = directory,
            NewCluster = newCluster,
            RestartDelay = TimeSpan.FromMilliseconds(200),
            MaxRestartDelay = TimeSpan.FromSeconds(2),
        };
    }

    public EtcdMember Member(EtcdMemberOptions options, IEtcdMemberJoiner? joiner = null)
    {
        var member = new EtcdMember(Options.Create(options), NullLogger<EtcdMember>.Instance, joiner);
        _members.Add(member);
        return member;
    }

    public static EtcdStorageOptions StorageOptions(params string[] endpoints) => new()
    {
        Endpoints = [.. endpoints],
        OperationTimeout = TimeSpan.FromSeconds(3),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    public static async Task WriteAsync(string endpoint, int count, CancellationToken cancellationToken)
    {
        using var store = new EtcdStateStore(StorageOptions(endpoint), NullLogger<EtcdStateStore>.Instance);
        var storage = new EtcdGrainStorage("test", store, NullLogger<EtcdGrainStorage>.Instance);
        var state = new GrainState<TestState>();
        await storage.ReadStateAsync("service", Service, state, cancellationToken);
        state.State!.Count = count;
        await storage.WriteStateAsync("service", Service, state, cancellationToken);
    }

    public static async Task<int?> ReadAsync(string endpoint, CancellationToken cancellationToken)
    {
        using var store = new EtcdStateStore(StorageOptions(endpoint), NullLogger<EtcdStateStore>.Instance);
        var storage = new EtcdGrainStorage("test", store, NullLogger<EtcdGrainStorage>.Instance);
        var state = new GrainState<TestState>();
        await storage.ReadStateAsync("service", Service, state, cancellationToken);
        return state.RecordExists ? state.State!.Count : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.DisposeAsync();
        }

        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
