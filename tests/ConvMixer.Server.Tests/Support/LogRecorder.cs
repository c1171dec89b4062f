using Microsoft.Extensions.Logging;

namespace ConvMixerNet.Server.Tests;

/// <summary>Records what the in-memory server logs, and lets a test wait for a message.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _messages = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiting = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Completes once a message containing <paramref name="text"/> has been logged.</summary>
    public Task WaitForAsync(string text)
    {
        lock (_lock)
        {
            if (_messages.Any(m => m.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((text, seen));
            return seen.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose()
    {
    }

    private void Add(string message)
    {
        List<TaskCompletionSource> seen;
        lock (_lock)
        {
            _messages.Add(message);
            seen = [.. _waiting.Where(w => message.Contains(w.Text, StringComparison.Ordinal)).Select(w => w.Seen)];
            _waiting.RemoveAll(w => seen.Contains(w.Seen));
        }

        seen.ForEach(s => s.TrySetResult());
    }

    private sealed class Recorder(LogRecorder recorder) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Add(formatter(state, exception));
    }
}
