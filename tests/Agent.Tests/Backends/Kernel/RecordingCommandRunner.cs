using Fleet.Agent.Processes;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>A fake <see cref="ICommandRunner"/> for unit tests: records every command and answers from a function.</summary>
internal sealed class RecordingCommandRunner(Func<string, IReadOnlyList<string>, CommandResult>? answer = null) : ICommandRunner, ICommandStreamer
{
    private readonly Lock _lock = new();

    public List<(string FileName, string[] Arguments, string? Input)> Calls { get; } = [];

    public Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Calls.Add((fileName, [.. arguments], standardInput));
        }

        return Task.FromResult(answer?.Invoke(fileName, arguments) ?? new CommandResult(0, "", ""));
    }

    public ICommandStream Start(string fileName, IReadOnlyList<string> arguments)
    {
        lock (_lock)
        {
            Calls.Add((fileName, [.. arguments], null));
        }

        return new EmptyStream();
    }

    private sealed class EmptyStream : ICommandStream
    {
        public bool HasExited => true;

        public string? Error => null;

        public async IAsyncEnumerable<string> ReadLinesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
