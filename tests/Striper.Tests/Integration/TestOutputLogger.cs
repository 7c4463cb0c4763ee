using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Writes engine logs to the current test's output, prefixed with the side and elapsed time, and keeps their event ids.</summary>
internal sealed class TestOutputLogger(string side) : ILogger
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<int> _events = new();

    /// <summary>How many entries with <paramref name="eventId"/> were logged.</summary>
    public int Count(int eventId) => _events.Count(e => e == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _events.Enqueue(eventId.Id);
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{s_clock.Elapsed.TotalSeconds:F3} {side}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // No test is running any more (a fixture outlived it).
        }
    }
}
