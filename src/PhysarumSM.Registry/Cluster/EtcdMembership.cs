using dotnet_etcd;
using Etcdserverpb;
using Microsoft.Extensions.Logging;
using PhysarumSM.Registry.Client;
using PhysarumSM.Registry.Storage;

namespace PhysarumSM.Registry.Cluster;

/// <summary>
/// etcd cluster membership through a running member: the answering side of <c>/physarum/memberadd/1.0.0</c>
/// (the original's <c>/memberadd/0.1</c>). Why not inside <see cref="EtcdMember"/>: a node that only uses
/// <c>-etcd-endpoints</c> can answer joins too.
/// </summary>
public sealed partial class EtcdMembership : IEtcdMemberJoiner, IDisposable
{
    private const int UnhealthyClusterAttempts = 60;
    private static readonly TimeSpan UnhealthyClusterDelay = TimeSpan.FromMilliseconds(500);
    private readonly EtcdEndpoints _endpoints;
    private readonly EtcdClient _client;
    private readonly ILogger<EtcdMembership> _logger;

    /// <summary>Talks to the cluster at <see cref="EtcdStorageOptions.Endpoints"/>, with its timeouts.</summary>
    public EtcdMembership(EtcdStorageOptions options, ILogger<EtcdMembership> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _endpoints = new EtcdEndpoints(options.Endpoints, options.OperationTimeout, options.ConnectTimeout);
        _client = _endpoints.CreateClient();
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<MemberAddResult> AddMemberAsync(string name, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (peerUrls.Count == 0 || peerUrls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out _)))
        {
            throw new ArgumentException($"member '{name}' needs at least one absolute peer URL (got '{string.Join(",", peerUrls)}')", nameof(peerUrls));
        }

        // A joiner that crashed between member add and its first start asks again: answer with the member added then.
        if (await FindAddedAsync(name, peerUrls, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var request = new MemberAddRequest { PeerURLs = { peerUrls } };
        MemberAddResponse response;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                response = await _endpoints.CallAsync(
                    $"add member {name} ({string.Join(",", peerUrls)})",
                    (deadline, ct) => _client.MemberAddAsync(request, deadline: deadline, cancellationToken: ct),
                    cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (EtcdUnavailableException ex) when (ex.Message.Contains("already exists", StringComparison.Ordinal))
            {
                // An attempt whose answer was lost (and was retried) did add it; anything else is a real clash.
                if (await FindAddedAsync(name, peerUrls, cancellationToken).ConfigureAwait(false) is { } added)
                {
                    return added;
                }

                throw;
            }
            catch (EtcdUnavailableException ex) when (attempt < UnhealthyClusterAttempts && ex.Message.Contains("unhealthy cluster", StringComparison.Ordinal))
            {
                // etcd refuses a member add until the member that joined last has been connected for a few seconds.
                LogClusterNotReady(name, attempt);
                await Task.Delay(UnhealthyClusterDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        LogAdded(name, response.Member.ID, string.Join(",", peerUrls));
        return Result(name, response.Member, response.Members);
    }

    /// <summary>The cluster's members as etcd lists them (unstarted members have no name yet).</summary>
    public async Task<IReadOnlyList<Member>> ListAsync(CancellationToken cancellationToken)
    {
        var response = await _endpoints.CallAsync(
            "list members",
            (deadline, ct) => _client.MemberListAsync(new MemberListRequest(), deadline: deadline, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return response.Members;
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task<MemberAddResult?> FindAddedAsync(string name, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken)
    {
        var members = await ListAsync(cancellationToken).ConfigureAwait(false);
        var wanted = peerUrls.Order(StringComparer.Ordinal).ToArray();
        var same = members.FirstOrDefault(m => m.PeerURLs.Order(StringComparer.Ordinal).SequenceEqual(wanted, StringComparer.Ordinal));
        if (same is null)
        {
            return null;
        }

        if (same.Name.Length > 0 && same.Name != name)
        {
            throw new InvalidOperationException($"etcd member '{same.Name}' already uses peer URLs {string.Join(",", peerUrls)}; '{name}' cannot join with them");
        }

        LogAlreadyAdded(name, same.ID);
        return Result(name, same, members);
    }

    private static MemberAddResult Result(string name, Member added, IEnumerable<Member> members)
    {
        var all = members.ToList();
        var initialCluster = string.Join(',', all.SelectMany(m => m.PeerURLs.Select(u => $"{(m.ID == added.ID ? name : m.Name)}={u}")));
        var clientUrls = all.Where(m => m.ID != added.ID).SelectMany(m => m.ClientURLs).ToArray();
        return new MemberAddResult(added.ID, name, added.PeerURLs.ToArray(), initialCluster, clientUrls);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd: added member {Name} (id {Id:x}) at {PeerUrls}")]
    private partial void LogAdded(string name, ulong id, string peerUrls);

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd: cluster not ready to add member {Name} (attempt {Attempt}); waiting")]
    private partial void LogClusterNotReady(string name, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd: member {Name} (id {Id:x}) was already added; answering with it")]
    private partial void LogAlreadyAdded(string name, ulong id);
}
