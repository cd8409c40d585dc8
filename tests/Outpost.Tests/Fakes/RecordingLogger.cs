using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Outpost.Tests.Fakes;

/// <summary>A logger that keeps every formatted message with its level and event id.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : " " + exception)));

    /// <summary>Every message (with exceptions) as one text, for "never logged" checks.</summary>
    public string AllText => string.Join('\n', Entries.Select(e => e.Message));
}
