using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Tests.Support;
using PhysarumSM.Libp2p.Yamux;

namespace PhysarumSM.Libp2p.Tests.Yamux;

/// <summary>
/// Sessions over a real loopback TCP pair: both ends as yamux sessions, or one session against a raw peer.
/// Why one place: every test gets the same wiring, log capture and cleanup.
/// </summary>
internal sealed class YamuxTestHarness : IAsyncDisposable
{
    private readonly LoopbackPair _pair;
    private readonly ILoggerFactory _loggerFactory;

    private YamuxTestHarness(LoopbackPair pair, ILoggerFactory loggerFactory, CapturedLog log)
    {
        _pair = pair;
        _loggerFactory = loggerFactory;
        Log = log;
    }

    public YamuxSession? Dialer { get; private set; }

    public YamuxSession? Listener { get; private set; }

    public RawYamuxPeer? Raw { get; private set; }

    public CapturedLog Log { get; }

    public LoopbackPair Pair => _pair;

    /// <summary>Both ends are sessions: the client end dials (odd ids), the server end listens (even ids).</summary>
    public static async Task<YamuxTestHarness> SessionsAsync(YamuxOptions? options = null, CancellationToken cancellationToken = default)
    {
        var harness = await CreateAsync(cancellationToken);
        var muxer = new YamuxMuxer(options, harness._loggerFactory);
        harness.Dialer = muxer.StartSession(harness._pair.Client, isInitiator: true);
        harness.Listener = muxer.StartSession(harness._pair.Server, isInitiator: false);
        return harness;
    }

    /// <summary>A session on the client end (dialer unless told otherwise) and a raw peer on the server end.</summary>
    public static async Task<YamuxTestHarness> RawPeerAsync(YamuxOptions? options = null, bool sessionIsDialer = true, CancellationToken cancellationToken = default)
    {
        var harness = await CreateAsync(cancellationToken);
        var muxer = new YamuxMuxer(options, harness._loggerFactory);
        var session = muxer.StartSession(harness._pair.Client, sessionIsDialer);
        if (sessionIsDialer)
        {
            harness.Dialer = session;
        }
        else
        {
            harness.Listener = session;
        }

        harness.Raw = new RawYamuxPeer(harness._pair.Server);
        return harness;
    }

    public YamuxSession Session => Dialer ?? Listener ?? throw new InvalidOperationException("no session");

    public async ValueTask DisposeAsync()
    {
        if (Dialer is not null)
        {
            await Dialer.DisposeAsync();
        }

        if (Listener is not null)
        {
            await Listener.DisposeAsync();
        }

        await _pair.DisposeAsync();
        _loggerFactory.Dispose();
    }

    private static async Task<YamuxTestHarness> CreateAsync(CancellationToken cancellationToken)
    {
        var pair = await LoopbackPair.CreateAsync(cancellationToken);
        var log = new CapturedLog();
        var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        return new YamuxTestHarness(pair, factory, log);
    }
}

/// <summary>Collects log entries so tests can check that a session logged why it ended.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((eventId, logLevel, formatter(state, exception)));
    }
}

/// <summary>Shared test data and guards.</summary>
internal static class YamuxTestData
{
    /// <summary>A failure guard only: tests never assert on elapsed time.</summary>
    public static CancellationTokenSource Guard(int seconds = 30) => new(TimeSpan.FromSeconds(seconds));

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var collected = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            collected.Write(buffer, 0, n);
        }

        return collected.ToArray();
    }

    /// <summary>Echoes one stream: everything read is written back, then the write side is closed.</summary>
    public static async Task EchoAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }

        await ((Muxing.MuxedStream)stream).CloseWriteAsync(cancellationToken);
    }
}
