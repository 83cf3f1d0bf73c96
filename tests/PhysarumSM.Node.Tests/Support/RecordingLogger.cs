using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PhysarumSM.Node.Tests.Support;

/// <summary>One log call as the code under test made it.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> State);

/// <summary>Keeps every log entry so tests can check what was reported (e.g. that a bad answer was logged, not thrown).</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IReadOnlyList<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : new Dictionary<string, object?>();
        _entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception), values));
    }

    /// <summary>Entries of one event id.</summary>
    public IReadOnlyList<LogEntry> WithEvent(int eventId) => _entries.Where(e => e.EventId == eventId).ToArray();
}
