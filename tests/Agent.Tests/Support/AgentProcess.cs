using System.Diagnostics;
using System.Text;

namespace Fleet.Agent.Tests.Support;

/// <summary>A real <c>fleet-agent</c> process (the built assembly run with <c>dotnet</c>), its output captured.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static AgentProcess Start(params string[] arguments) => StartIn(null, null, arguments);

    /// <summary>
    /// Starts the agent inside network namespace <paramref name="ns"/> (<c>ip netns exec</c> execs it, so the process is
    /// the agent itself) with <paramref name="path"/> as its PATH when given.
    /// </summary>
    public static AgentProcess StartIn(string? ns, string? path, params string[] arguments)
    {
        var start = new ProcessStartInfo(ns is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ns is not null)
        {
            foreach (var argument in new[] { "netns", "exec", ns, "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, process.Output);
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: the polite stop systemd sends.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        kill!.WaitForExit();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
