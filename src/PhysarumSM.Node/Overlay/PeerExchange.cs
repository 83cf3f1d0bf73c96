using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Node.Overlay;

/// <summary>
/// Keeps the overlay a bounded full mesh: asks connected peers which peers they are connected to
/// (<c>/physarum/peers/1.0.0</c>), answers such questions, and dials every peer learned that way or from
/// identify, up to <see cref="PeerExchangeOptions.MaxMeshPeers"/>. Why: the original found peers through
/// a Kademlia DHT; a mesh of a few hundred machines needs only this, and RTTs are measured to every peer.
/// Peers that speak only identify (e.g. js-libp2p) are dialled and answered but never asked.
/// </summary>
public sealed partial class PeerExchange : IAsyncDisposable
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/physarum/peers/1.0.0";

    private readonly Libp2pHost _host;
    private readonly PeerExchangeOptions _options;
    private readonly ILogger<PeerExchange> _logger;
    private readonly TimeProvider _time;
    private readonly MeshCandidates _candidates;
    private readonly OverlayTasks _tasks = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<PeerId, byte> _exchanging = new();
    private readonly ConcurrentDictionary<PeerId, byte> _notSpeaking = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _dialsInFlight;
    private int _state; // 0 new, 1 started, 2 stopped

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public PeerExchange(Libp2pHost host, PeerExchangeOptions options, ILogger<PeerExchange> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _host = host;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _candidates = new MeshCandidates(options.MaxCandidates, options.MaxAddressesPerPeer);
    }

    /// <summary>Tasks still running (for shutdown checks).</summary>
    public int RunningTasks => _tasks.Count;

    /// <summary>Peers currently kept as dial candidates.</summary>
    public int CandidateCount => _candidates.Count;

    /// <summary>Answers requests, watches connections, and starts the periodic exchange and the dialler.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the peer exchange was already started or stopped");
        }

        _host.SetStreamHandler(ProtocolId, HandleRequestAsync);
        _host.PeerConnected += OnPeerConnected;
        _host.PeerIdentified += OnPeerIdentified;
        _host.PeerDisconnected += OnPeerDisconnected;
        _tasks.TryRun(() => ExchangeLoopAsync(_stopping.Token));
        _tasks.TryRun(() => DialLoopAsync(_stopping.Token));
        foreach (var peer in _host.ConnectedPeers)
        {
            ScheduleExchange(peer);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops answering, asking and dialling, and waits for every task this service started.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) == 1)
        {
            _host.PeerConnected -= OnPeerConnected;
            _host.PeerIdentified -= OnPeerIdentified;
            _host.PeerDisconnected -= OnPeerDisconnected;
            _host.RemoveStreamHandler(ProtocolId);
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _tasks.CloseAndWaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    /// <remarks>
    /// The stop source is left undisposed on purpose: an inbound stream negotiated just before the handler
    /// was removed may still link to it, and a source without a timer holds nothing to release.
    /// </remarks>
    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    private void OnPeerConnected(object? sender, PeerConnectionEventArgs e)
    {
        _candidates.Connected(e.Peer);
        ScheduleExchange(e.Peer);
    }

    private void OnPeerIdentified(object? sender, PeerConnectionEventArgs e)
    {
        if (_host.PeerStore.GetIdentify(e.Peer) is not { } info)
        {
            return;
        }

        // Keep its own listen addresses, so the mesh can redial it after a disconnect.
        Learn(e.Peer, info.ListenAddresses, e.Connection.RemoteAddress.IsLoopback);
        if (info.Protocols.Contains(ProtocolId, StringComparer.Ordinal))
        {
            ScheduleExchange(e.Peer);
        }
        else
        {
            _notSpeaking.TryAdd(e.Peer, 0);
        }
    }

    private void OnPeerDisconnected(object? sender, PeerConnectionEventArgs e)
    {
        _notSpeaking.TryRemove(e.Peer, out _);
        Learn(e.Peer, VouchedAddresses(e.Connection), e.Connection.RemoteAddress.IsLoopback);
        _candidates.Defer(e.Peer, _time.GetUtcNow() + _options.DialBackoffInitial);
    }

    private async Task ExchangeLoopAsync(CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.ExchangeInterval, _time);
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                foreach (var peer in _host.ConnectedPeers)
                {
                    ScheduleExchange(peer);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task DialLoopAsync(CancellationToken stop)
    {
        try
        {
            using var timer = _time.CreateTimer(_ => Wake(), null, _options.DialCheckInterval, _options.DialCheckInterval);
            while (true)
            {
                await _wake.Reader.ReadAsync(stop).ConfigureAwait(false);
                DialDue();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);
}
