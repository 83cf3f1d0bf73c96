using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.TestKit;

/// <summary>
/// A TCP relay on 127.0.0.1 that forwards every connection to one target and delays each chunk by
/// <see cref="OneWayDelay"/> in each direction. Why: this kernel has no netem, and tests need node pairs
/// with different RTTs. Each chunk is stamped when read and released when due, so chunks in flight
/// overlap (a delay, not a throughput cap) and bytes keep their order.
/// </summary>
public sealed class LatencyRelay : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    // Chunks waiting per direction; the bound is back-pressure like a TCP window, not a throttle.
    private const int MaxQueuedChunks = 256;

    private readonly IPEndPoint _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Task _acceptLoop;
    private long _delayTicks;
    private int _disposed;

    /// <summary>Starts relaying to <paramref name="target"/>.</summary>
    public LatencyRelay(IPEndPoint target, TimeSpan oneWayDelay = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        OneWayDelay = oneWayDelay;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        ListenAddress = Multiaddr.FromEndPoint(EndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Starts relaying to a <c>/ip4|ip6/ADDR/tcp/PORT</c> address (a /p2p/ suffix is ignored).</summary>
    public LatencyRelay(Multiaddr target, TimeSpan oneWayDelay = default)
        : this(ToEndPoint(target), oneWayDelay)
    {
    }

    /// <summary>Delay added to every chunk in each direction (RTT grows by twice this); applies to chunks read from now on.</summary>
    public TimeSpan OneWayDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _delayTicks, value.Ticks);
        }
    }

    /// <summary>Where the relay listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Where the relay listens, to dial through it (append /p2p/ of the target's peer for libp2p).</summary>
    public Multiaddr ListenAddress { get; }

    /// <summary>The target connections are forwarded to.</summary>
    public IPEndPoint Target => _target;

    /// <summary>Relayed connections still open.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Stops listening, closes every relayed connection and waits for every relay task.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] remaining;
        lock (_gate)
        {
            remaining = [.. _connections];
        }

        await Task.WhenAll(remaining).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }

    private static IPEndPoint ToEndPoint(Multiaddr target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.TryGetTcpTarget(out var host, out var port) || !IPAddress.TryParse(host, out var ip))
        {
            throw new ArgumentException($"relay target '{target}' must be /ip4|ip6/ADDR/tcp/PORT", nameof(target));
        }

        return new IPEndPoint(ip, port);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_closing.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a client that reset before accept
            }

            lock (_gate)
            {
                if (_closing.IsCancellationRequested)
                {
                    client.Dispose();
                    return;
                }

                var task = Task.Run(() => RelayAsync(client));
                _connections.Add(task);
                _ = task.ContinueWith(
                    t =>
                    {
                        lock (_gate)
                        {
                            _connections.Remove(t);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>One relayed connection: both directions run until each has delivered EOF, or either fails.</summary>
    private async Task RelayAsync(Socket client)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        using var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(_target, connection.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                return; // target down or relay closing: the client sees its connection close
            }

            var up = PumpAsync(client, upstream, connection);
            var down = PumpAsync(upstream, client, connection);
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Reads <paramref name="from"/> and writes <paramref name="to"/> each chunk once it is due; a failure cancels the whole connection.</summary>
    private async Task PumpAsync(Socket from, Socket to, CancellationTokenSource connection)
    {
        var queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(MaxQueuedChunks) { SingleReader = true, SingleWriter = true });
        var reader = ReadChunksAsync(from, queue.Writer, connection.Token);
        try
        {
            await foreach (var chunk in queue.Reader.ReadAllAsync(connection.Token).ConfigureAwait(false))
            {
                try
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), chunk.DueTimestamp);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, connection.Token).ConfigureAwait(false);
                    }

                    if (chunk.Length == 0)
                    {
                        to.Shutdown(SocketShutdown.Send); // deliver EOF, still delayed like data
                        break;
                    }

                    var sent = 0;
                    while (sent < chunk.Length)
                    {
                        sent += await to.SendAsync(chunk.Buffer.AsMemory(sent, chunk.Length - sent), SocketFlags.None, connection.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (chunk.Buffer.Length > 0)
                    {
                        ArrayPool<byte>.Shared.Return(chunk.Buffer);
                    }
                }
            }
        }
        catch (Exception)
        {
            await connection.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (queue.Reader.TryRead(out var left))
            {
                if (left.Buffer.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(left.Buffer);
                }
            }
        }
    }

    private async Task ReadChunksAsync(Socket from, ChannelWriter<Chunk> queue, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                int read;
                try
                {
                    read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                var due = Stopwatch.GetTimestamp() + (long)(OneWayDelay.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    await queue.WriteAsync(new Chunk([], 0, due), cancellationToken).ConfigureAwait(false);
                    queue.Complete();
                    return;
                }

                await queue.WriteAsync(new Chunk(buffer, read, due), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            queue.TryComplete(ex);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Length, long DueTimestamp);
}
