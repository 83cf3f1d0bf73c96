using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// The proxy's links to its bootstrap nodes: <see cref="JoinAsync"/> connects at startup (a few attempts; at least one
/// bootstrap must answer, else exit 3), and from then on a lost bootstrap is redialled with capped exponential backoff,
/// so a proxy left running reconnects after a node restarts.
/// </summary>
internal sealed partial class BootstrapLinks : BackgroundService
{
    private const int StartupAttempts = 3;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RedialMaxDelay = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Libp2pHost _host;
    private readonly ILogger<BootstrapLinks> _logger;
    private readonly IReadOnlyList<Bootstrap> _bootstraps;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Groups the bootstrap addresses by peer: one link per node, tried address by address.</summary>
    public BootstrapLinks(Libp2pHost host, OverlaySettings settings, ILogger<BootstrapLinks> logger)
    {
        _host = host;
        _logger = logger;
        _bootstraps = settings.Bootstraps
            .GroupBy(a => a.PeerId!)
            .Select(g => new Bootstrap(g.Key, g.Distinct().ToArray()))
            .ToArray();
    }

    /// <summary>Returns once one bootstrap is connected; the others are redialled in the background afterwards.</summary>
    /// <exception cref="CliException">No bootstrap answered (exit code 3); the message says why for each.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        var failures = new string[_bootstraps.Count];
        for (var attempt = 1; attempt <= StartupAttempts; attempt++)
        {
            var outcomes = await Task.WhenAll(_bootstraps.Select(b => DialAsync(b, cancellationToken))).ConfigureAwait(false);
            if (outcomes.Any(o => o is null))
            {
                LogJoined(_host.PeerId, _host.ConnectedPeers.Count);
                _joined.TrySetResult();
                return;
            }

            outcomes.CopyTo(failures, 0);
            if (attempt < StartupAttempts)
            {
                await Task.Delay(Backoff(attempt - 1), cancellationToken).ConfigureAwait(false);
            }
        }

        throw new CliException($"no bootstrap node reachable (check --bootstrap and --psk): {string.Join("; ", failures)}", 3);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _joined.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(CheckInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var bootstrap in _bootstraps)
                {
                    await KeepAsync(bootstrap, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // One redial per check at most, when the bootstrap is down and its backoff has passed.
    private async Task KeepAsync(Bootstrap bootstrap, CancellationToken stoppingToken)
    {
        if (_host.GetConnection(bootstrap.Peer) is not null)
        {
            bootstrap.Failures = 0;
            bootstrap.NextDial = DateTimeOffset.MinValue;
            return;
        }

        if (DateTimeOffset.UtcNow < bootstrap.NextDial)
        {
            return;
        }

        var failure = await DialAsync(bootstrap, stoppingToken).ConfigureAwait(false);
        if (failure is null)
        {
            LogReconnected(bootstrap.Peer);
            return;
        }

        var delay = Backoff(bootstrap.Failures++);
        bootstrap.NextDial = DateTimeOffset.UtcNow + delay;
        LogRedialFailed(bootstrap.Peer, failure, delay.TotalSeconds);
    }

    // Null when connected; otherwise why not, naming the address.
    private async Task<string?> DialAsync(Bootstrap bootstrap, CancellationToken cancellationToken)
    {
        if (_host.GetConnection(bootstrap.Peer) is not null)
        {
            return null;
        }

        var reasons = new List<string>();
        foreach (var address in bootstrap.Addresses)
        {
            try
            {
                await _host.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (IOException ex)
            {
                reasons.Add($"{address}: {ex.Message}");
            }
        }

        return string.Join("; ", reasons);
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(RedialMaxDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures, 16)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy: joined the overlay as {PeerId}, connected to {Count} node(s)")]
    private partial void LogJoined(PeerId peerId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy: bootstrap {Peer} reconnected")]
    private partial void LogReconnected(PeerId peer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy: bootstrap {Peer} still unreachable ({Reason}); next try in {DelaySeconds} s")]
    private partial void LogRedialFailed(PeerId peer, string reason, double delaySeconds);

    /// <summary>One bootstrap peer, its addresses, and its redial state (touched by the check loop only).</summary>
    private sealed class Bootstrap(PeerId peer, IReadOnlyList<Multiaddr> addresses)
    {
        public PeerId Peer { get; } = peer;

        public IReadOnlyList<Multiaddr> Addresses { get; } = addresses;

        public int Failures { get; set; }

        public DateTimeOffset NextDial { get; set; } = DateTimeOffset.MinValue;
    }
}
