namespace PhysarumSM.Gateway.Routing;

/// <summary>
/// One service's slot in the <see cref="RouteCache"/>: its entries (copy-on-write, so requests read them without
/// the lock), its single in-flight resolve, and its short "not registered" memory. Everything but the reads of
/// <see cref="Entries"/> and <see cref="SpreadCounter"/> happens under <see cref="Gate"/>.
/// </summary>
internal sealed class ServiceRoutes(string service)
{
    private CachedRoute[] _entries = [];

    /// <summary>Serialises changes to this service's slot.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The service name.</summary>
    public string Service { get; } = service;

    /// <summary>The cached entries; replaced, never changed in place.</summary>
    public CachedRoute[] Entries
    {
        get => Volatile.Read(ref _entries);
        set => Volatile.Write(ref _entries, value);
    }

    /// <summary>The resolve every waiter for this service shares; null when none runs.</summary>
    public Task<Route>? Resolving { get; set; }

    /// <summary>When (a timestamp) a resolve last said the service is not registered; null when that is not remembered.</summary>
    public long? NotFoundAt { get; set; }

    /// <summary>When (a timestamp) the last background refresh started; null before the first.</summary>
    public long? LastRefresh { get; set; }

    /// <summary>Rotates requests over equally good routes.</summary>
    public int SpreadCounter;

    /// <summary>Set when the slot left the cache; whoever still holds it must look the service up again.</summary>
    public bool Retired { get; set; }
}
