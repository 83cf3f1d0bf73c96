using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace PhysarumSM.Registry.Storage;

/// <summary>
/// Orleans grain storage in etcd. The ETag is the key's etcd mod revision; a write or clear applies only if the stored
/// revision still equals the grain's ETag (one transaction each, so nothing is ever half-written), otherwise it throws
/// <see cref="InconsistentStateException"/>. etcd failures surface as <see cref="Client.EtcdUnavailableException"/>.
/// </summary>
public sealed partial class EtcdGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly EtcdStateStore _store;
    private readonly ILogger<EtcdGrainStorage> _logger;

    /// <summary>Creates the storage named <paramref name="name"/> over <paramref name="store"/> (which it does not own).</summary>
    public EtcdGrainStorage(string name, EtcdStateStore store, ILogger<EtcdGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _name = name;
        _store = store;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(grainId);
        var stored = await _store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is { } found)
        {
            grainState.State = _store.Deserialize<T>(key, found.Value);
            grainState.ETag = ETagOf(found.Revision);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Empty<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(grainId);
        var expected = RevisionOf(key, grainState.ETag);
        var outcome = await _store.PutIfAsync(key, _store.Serialize(grainState.State), expected, cancellationToken).ConfigureAwait(false);
        if (!outcome.Applied)
        {
            throw Conflict("write", key, outcome.Revision, grainState.ETag);
        }

        grainState.ETag = ETagOf(outcome.Revision);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(grainId);
        var outcome = await _store.DeleteIfAsync(key, RevisionOf(key, grainState.ETag), cancellationToken).ConfigureAwait(false);
        if (!outcome.Applied)
        {
            throw Conflict("delete", key, outcome.Revision, grainState.ETag);
        }

        grainState.State = Empty<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private string KeyOf(GrainId grainId) => _store.KeyOf(grainId.Type.ToString()!, grainId.Key.ToString()!);

    private static string ETagOf(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private static long RevisionOf(string key, string? etag)
    {
        if (string.IsNullOrEmpty(etag))
        {
            return 0;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw new InconsistentStateException($"etcd key {key}: ETag '{etag}' is not an etcd revision", storedEtag: null!, currentEtag: etag);
    }

    private InconsistentStateException Conflict(string what, string key, long storedRevision, string? etag)
    {
        var stored = storedRevision == 0 ? null : ETagOf(storedRevision);
        LogConflict(_name, what, key, stored ?? "absent", etag ?? "absent");
        return new InconsistentStateException(
            $"etcd {what} of {key} refused: it is at revision {stored ?? "(absent)"} but this grain's copy is revision {etag ?? "(absent)"}; another writer changed it",
            stored!,
            etag!);
    }

    private static T Empty<T>()
    {
        try
        {
            return Activator.CreateInstance<T>();
        }
        catch (MissingMethodException ex)
        {
            throw new InvalidOperationException($"grain state type {typeof(T)} needs a public parameterless constructor for the etcd storage", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd storage {Storage}: {What} of {Key} refused, stored revision {Stored}, grain's revision {ETag}")]
    private partial void LogConflict(string storage, string what, string key, string stored, string etag);
}
