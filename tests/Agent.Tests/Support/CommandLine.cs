using System.CommandLine;

namespace Fleet.Agent.Tests.Support;

/// <summary>A <c>fleet-agent</c> command line parsed and run in this process, as <c>Main</c> runs it, its output captured.</summary>
internal static class CommandLine
{
    /// <summary>
    /// Runs <paramref name="arguments"/> until the command returns, <paramref name="cancellationToken"/> stops it (as
    /// SIGTERM does) or a minute has passed (a daemon that should have refused to start).
    /// </summary>
    public static async Task<(int Code, string Output, string Error)> InvokeAsync(string[] arguments, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromMinutes(1));
        var parse = Program.BuildRootCommand().Parse(arguments);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop.Token);
        return (code, output.ToString(), error.ToString());
    }
}
