using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mvccpb;
using PhysarumSM.Registry.Client;

namespace PhysarumSM.Registry.Storage;

/// <summary>
/// Grain state in etcd: one key per grain, JSON values, the mod revision as version, every write a single
/// compare-and-set transaction. Why apart from <see cref="EtcdGrainStorage"/>: listing a collection (the service
/// catalog) reads the same keys without activating a grain per entry.
/// </summary>
public sealed partial class EtcdStateStore : IDisposable
{
    private readonly EtcdStorageOptions _options;
    private readonly EtcdEndpoints _endpoints;
    private readonly EtcdClient _client;
    private readonly ILogger<EtcdStateStore> _logger;

    /// <summary>Opens a client to <see cref="EtcdStorageOptions.Endpoints"/>; connects lazily, on the first call.</summary>
    public EtcdStateStore(EtcdStorageOptions options, ILogger<EtcdStateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new EtcdStorageOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(EtcdStorageOptions), typeof(EtcdStorageOptions), validation.Failures);
        }

        _options = options;
        _logger = logger;
        _endpoints = new EtcdEndpoints(options.Endpoints, options.OperationTimeout, options.ConnectTimeout);
        _client = _endpoints.CreateClient();
    }

    /// <summary>The etcd client URLs this store uses.</summary>
    public IReadOnlyList<string> Endpoints => _endpoints.Urls;

    /// <summary>The etcd key of one grain's state: <c>{prefix}/{grainType}/{escaped grain key}</c>.</summary>
    public string KeyOf(string grainType, string grainKey) => CollectionPrefix(grainType) + Uri.EscapeDataString(grainKey);

    /// <summary>The key prefix shared by every grain of <paramref name="grainType"/>, ending in '/'.</summary>
    public string CollectionPrefix(string grainType)
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        return $"{_options.KeyPrefix}/{grainType}/";
    }

    /// <summary>Every stored state of <paramref name="grainType"/>, in key order, read in one range request.</summary>
    public async Task<IReadOnlyList<EtcdStoredState<T>>> ListAsync<T>(string grainType, CancellationToken cancellationToken = default)
    {
        var prefix = CollectionPrefix(grainType);
        var range = new RangeRequest
        {
            Key = ByteString.CopyFromUtf8(prefix),
            RangeEnd = EtcdClient.GetRangeEnd(ByteString.CopyFromUtf8(prefix)),
        };
        var response = await RangeAsync(range, $"list {prefix}", cancellationToken).ConfigureAwait(false);
        var states = new List<EtcdStoredState<T>>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            states.Add(new(Uri.UnescapeDataString(key[prefix.Length..]), Deserialize<T>(key, kv.Value), kv.ModRevision));
        }

        return states;
    }

    internal async Task<(ByteString Value, long Revision)?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }, $"read {key}", cancellationToken)
            .ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : (response.Kvs[0].Value, response.Kvs[0].ModRevision);
    }

    /// <summary>Puts <paramref name="value"/> if the key's mod revision is <paramref name="expectedRevision"/> (0 = absent).</summary>
    internal async Task<EtcdWriteOutcome> PutIfAsync(string key, byte[] value, long expectedRevision, CancellationToken cancellationToken)
    {
        var keyBytes = ByteString.CopyFromUtf8(key);
        var valueBytes = ByteString.CopyFrom(value);
        var txn = Transaction(keyBytes, expectedRevision, new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = valueBytes } });
        var response = await _endpoints.CallAsync(
            $"write {key}",
            (deadline, ct) => _client.TransactionAsync(txn, deadline: deadline, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return new(true, response.Header.Revision);
        }

        var current = Current(response);
        if (current is not null && current.Value.Equals(valueBytes))
        {
            // Our own write, applied by an attempt whose answer was lost and then retried by gRPC: it is in etcd.
            LogRetriedWriteFound(key, current.ModRevision);
            return new(true, current.ModRevision);
        }

        return new(false, current?.ModRevision ?? 0);
    }

    /// <summary>Deletes the key if its mod revision is <paramref name="expectedRevision"/> (0 = absent: nothing to do).</summary>
    internal async Task<EtcdWriteOutcome> DeleteIfAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        var keyBytes = ByteString.CopyFromUtf8(key);
        var txn = Transaction(keyBytes, expectedRevision, new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = keyBytes } });
        var response = await _endpoints.CallAsync(
            $"delete {key}",
            (deadline, ct) => _client.TransactionAsync(txn, deadline: deadline, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return new(true, 0);
        }

        // Already gone (a retried delete of ours, or someone else's): the state asked for is the state reached.
        var current = Current(response);
        return current is null ? new(true, 0) : new(false, current.ModRevision);
    }

    internal byte[] Serialize<T>(T state) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, _options.JsonSerializerOptions);

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    internal T Deserialize<T>(string key, ByteString value)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(value.Span, _options.JsonSerializerOptions)
                ?? throw new System.Text.Json.JsonException("the value is JSON null");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidOperationException($"etcd key {key} does not hold a {typeof(T).Name} as JSON: {ex.Message}", ex);
        }
    }

    private static TxnRequest Transaction(ByteString key, long expectedRevision, RequestOp onMatch) => new()
    {
        // A missing key compares as mod revision 0, so one comparison covers create-if-absent and update-if-unchanged.
        Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expectedRevision } },
        Success = { onMatch },
        Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
    };

    private static KeyValue? Current(TxnResponse response) =>
        response.Responses.Count > 0 && response.Responses[0].ResponseRange is { Kvs.Count: > 0 } range ? range.Kvs[0] : null;

    private async Task<RangeResponse> RangeAsync(RangeRequest request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _endpoints.CallAsync(
                what,
                (deadline, ct) => _client.GetAsync(request, deadline: deadline, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdUnavailableException ex) when (_options.AllowStaleReads && ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown)
        {
            // No quorum behind the reachable member: its local copy still answers (see AllowStaleReads).
            LogStaleRead(what, ex.Message);
            var local = request.Clone();
            local.Serializable = true;
            return await _endpoints.CallAsync(
                what + " (serializable)",
                (deadline, ct) => _client.GetAsync(local, deadline: deadline, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd: linearizable {What} failed ({Reason}); answering from a member's local copy")]
    private partial void LogStaleRead(string what, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd: write of {Key} found already applied at revision {Revision} (a retried attempt)")]
    private partial void LogRetriedWriteFound(string key, long revision);
}
