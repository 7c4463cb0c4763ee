using System.Diagnostics;
using System.Text;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Result of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs tools (ip, nft, tc, ping, iperf3) with argument lists, never a shell string.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, string? input = null, TimeSpan? timeout = null)
    {
        using var process = Start(file, arguments, input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new ProcessResult(-1, await output, $"{file} timed out: " + await error);
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs and throws with the tool's message when it fails.</summary>
    public static async Task<string> CheckedAsync(string file, params string[] arguments)
    {
        var result = await RunAsync(file, arguments);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error}{result.Output}");
        }

        return result.Output;
    }

    public static Process Start(string file, IEnumerable<string> arguments, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LC_ALL"] = "C";
        return Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
    }
}
