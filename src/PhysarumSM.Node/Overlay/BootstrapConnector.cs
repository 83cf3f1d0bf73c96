using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Joins the overlay through the bootstrap peers and keeps those links up. Why: as in the original,
/// a node that reaches no bootstrap must not start, and a lost bootstrap is redialled with capped
/// exponential backoff until it is back or the node stops. A node with no bootstraps is itself one.
/// </summary>
public sealed class BootstrapConnector : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly BootstrapOptions _options;
    private readonly ILogger<BootstrapConnector> _logger;
    private readonly TimeProvider _time;
    private readonly BootstrapLink[] _links;
    private readonly Dictionary<PeerId, BootstrapLink> _byPeer;
    private readonly bool _listsSelf;
    private readonly OverlayTasks _tasks = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _state; // 0 new, 1 started, 2 stopped

    /// <exception cref="ArgumentException">A bootstrap lacks /p2p/, or a setting is out of range.</exception>
    public BootstrapConnector(Libp2pHost host, BootstrapOptions options, ILogger<BootstrapConnector> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StartupAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StartupRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RedialInitialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RedialMaxDelay, options.RedialInitialDelay);
        _host = host;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;

        foreach (var address in options.Bootstraps)
        {
            if (address.PeerId is null)
            {
                throw new ArgumentException($"bootstrap '{address}' must end in /p2p/<peer id>", nameof(options));
            }
        }

        _listsSelf = options.Bootstraps.Any(a => a.PeerId == host.PeerId);
        _links = options.Bootstraps
            .Where(a => a.PeerId != host.PeerId)
            .GroupBy(a => a.PeerId!)
            .Select(g => new BootstrapLink(g.Key, g.Distinct().ToArray()))
            .ToArray();
        _byPeer = _links.ToDictionary(l => l.Peer);
    }

    /// <summary>True when this node needs no other bootstrap: none given, or it is listed among them itself.</summary>
    public bool IsBootstrap => _links.Length == 0 || _listsSelf;

    /// <summary>The other bootstrap peers this node dials.</summary>
    public IReadOnlyList<PeerId> BootstrapPeers => _links.Select(l => l.Peer).ToArray();

    /// <summary>Tasks still running (for shutdown checks).</summary>
    public int RunningTasks => _tasks.Count;

    /// <summary>
    /// Connects to the bootstraps (each up to <see cref="BootstrapOptions.StartupAttempts"/> times) and returns
    /// once one is connected. Bootstraps still failing then keep being dialled in the background.
    /// </summary>
    /// <exception cref="BootstrapException">None could be reached; lists each one and why.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the bootstrap connector was already started or stopped");
        }

        if (_links.Length == 0)
        {
            OverlayLog.IsBootstrap(_logger);
            return;
        }

        _host.PeerDisconnected += OnPeerDisconnected;
        foreach (var link in _links)
        {
            _tasks.TryRun(() => SuperviseAsync(link, _stopping.Token));
        }

        if (_listsSelf)
        {
            OverlayLog.ListedAsOwnBootstrap(_logger);
            return;
        }

        try
        {
            await WaitForFirstAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops redialling and waits for every task this connector started.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            await _tasks.CloseAndWaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        _host.PeerDisconnected -= OnPeerDisconnected;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _tasks.CloseAndWaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WaitForFirstAsync(CancellationToken cancellationToken)
    {
        var pending = _links.Select(l => l.Startup.Task).ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
            pending.Remove(done);
            if (await done.ConfigureAwait(false) is null)
            {
                return;
            }
        }

        // Every outcome is a failure here; report them in the order the operator gave them.
        throw new BootstrapException(_links.Select(l => l.Startup.Task.Result!).ToArray());
    }

    private void OnPeerDisconnected(object? sender, PeerConnectionEventArgs e)
    {
        if (_byPeer.TryGetValue(e.Peer, out var link))
        {
            link.Lost.Writer.TryWrite(true);
        }
    }

    private async Task SuperviseAsync(BootstrapLink link, CancellationToken stop)
    {
        try
        {
            if (!await ConnectAtStartupAsync(link, stop).ConfigureAwait(false))
            {
                // Keep doubling where the startup attempts left off (16 s with the defaults).
                var next = ExponentialBackoff.Delay(_options.StartupRetryDelay, _options.StartupAttempts - 1, _options.RedialMaxDelay);
                await RedialAsync(link, next, stop).ConfigureAwait(false);
            }

            while (true)
            {
                await link.Lost.Reader.ReadAsync(stop).ConfigureAwait(false);
                if (_host.GetConnection(link.Peer) is not null)
                {
                    continue; // a stale signal: it is connected again (perhaps it dialled us)
                }

                OverlayLog.BootstrapLost(_logger, link.Peer);
                await RedialAsync(link, _options.RedialInitialDelay, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ObjectDisposedException ex)
        {
            // The host is gone: nothing left to dial with.
            link.Startup.TrySetException(ex);
        }
        finally
        {
            link.Startup.TrySetCanceled(stop.IsCancellationRequested ? stop : CancellationToken.None);
        }
    }

    private async Task<bool> ConnectAtStartupAsync(BootstrapLink link, CancellationToken stop)
    {
        var attempts = _options.StartupAttempts;
        Exception? last = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await ConnectAsync(link, stop).ConfigureAwait(false);
                OverlayLog.BootstrapConnected(_logger, link.Peer, attempt);
                link.Startup.TrySetResult(null);
                return true;
            }
            catch (Exception ex) when (IsDialFailure(ex, stop))
            {
                last = ex;
            }

            if (attempt < attempts)
            {
                var delay = ExponentialBackoff.Delay(_options.StartupRetryDelay, attempt - 1, _options.RedialMaxDelay);
                OverlayLog.BootstrapAttemptFailed(_logger, link.Peer, attempt, attempts, last.Message, delay);
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
        }

        var reason = last?.Message ?? "unknown";
        OverlayLog.BootstrapGaveUp(_logger, link.Peer, attempts, reason);
        link.Startup.TrySetResult(new BootstrapFailure(link.Peer, link.Addresses, attempts, reason, last));
        return false;
    }

    /// <summary>Dials until connected; the wait doubles from <paramref name="firstDelay"/> up to the cap, and restarts at the next loss.</summary>
    private async Task RedialAsync(BootstrapLink link, TimeSpan firstDelay, CancellationToken stop)
    {
        for (var failures = 0; ; failures++)
        {
            await Task.Delay(ExponentialBackoff.Delay(firstDelay, failures, _options.RedialMaxDelay), _time, stop).ConfigureAwait(false);
            try
            {
                await ConnectAsync(link, stop).ConfigureAwait(false);
                OverlayLog.BootstrapReconnected(_logger, link.Peer);
                return;
            }
            catch (Exception ex) when (IsDialFailure(ex, stop))
            {
                OverlayLog.BootstrapRedialFailed(_logger, link.Peer, ex.Message, ExponentialBackoff.Delay(firstDelay, failures + 1, _options.RedialMaxDelay));
            }
        }
    }

    /// <summary>Tries each address of the peer in turn (an existing connection counts as success).</summary>
    private async Task ConnectAsync(BootstrapLink link, CancellationToken stop)
    {
        var failures = new List<Exception>();
        foreach (var address in link.Addresses)
        {
            try
            {
                await _host.ConnectAsync(address, stop).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsDialFailure(ex, stop))
            {
                failures.Add(ex);
            }
        }

        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        throw new IOException(string.Join("; ", failures.Select(f => f.Message)), new AggregateException(failures));
    }

    /// <summary>Anything but our own stop or a disposed host is a failed dial worth retrying.</summary>
    private static bool IsDialFailure(Exception ex, CancellationToken stop) =>
        ex is not ObjectDisposedException && !(ex is OperationCanceledException && stop.IsCancellationRequested);
}
