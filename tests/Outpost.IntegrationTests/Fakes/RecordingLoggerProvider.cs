using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;

namespace Outpost.IntegrationTests.Fakes;

/// <summary>Keeps every message an Outpost host logs at or above <paramref name="minimum"/>, so a test can wait for one.</summary>
public sealed class RecordingLoggerProvider(LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    private LogLevel Minimum => minimum;

    public int Count(int eventId) => Entries.Count(e => e.EventId == eventId);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}
