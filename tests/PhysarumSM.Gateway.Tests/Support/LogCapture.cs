using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PhysarumSM.Gateway.Tests.Support;

/// <summary>One log call as the code under test made it.</summary>
internal sealed record CapturedLog(LogLevel Level, int EventId, string Message);

/// <summary>Keeps every log entry so tests can check what was reported (a bad peer is logged, not thrown).</summary>
internal sealed class LogCapture<T> : ILogger<T>
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new CapturedLog(logLevel, eventId.Id, formatter(state, exception)));

    public IReadOnlyList<CapturedLog> WithEvent(int eventId) => _entries.Where(e => e.EventId == eventId).ToArray();
}
