using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Striper.SpeedTest;

namespace Fleet.Agent.Doctor;

/// <summary>
/// <c>fleet-agent doctor [LINK]</c>: "why isn't it aggregating?" answered on the host, without the Api (docs/doctor.md).
/// The model is built from what the agent has here (the specs in force from <c>links.json</c>, a short live measurement
/// of the daemon's samples) and judged by the same <see cref="LinkDoctor"/> rules as the Api's diagnosis.
/// </summary>
public static class DoctorCommand
{
    /// <summary>The default measurement.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(5);

    /// <summary>The longest measurement: the command is meant to answer while an operator waits.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromSeconds(60);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var link = new Argument<string?>("LINK") { Description = "A link's device name or id (default: every link on this host)", Arity = ArgumentArity.ZeroOrOne };
        var dataDir = CommonOptions.DataDirectory();
        var window = new Option<TimeSpan?>("--window") { Description = "How long to measure the agent's samples (1s to 60s, default 5s)", CustomParser = r => Durations.ParseArgument(r) };
        var json = new Option<bool>("--json") { Description = "Print the diagnosis as the REST diagnosis resource's JSON (an array without LINK)" };
        var speedTest = new Option<bool>("--speed-test") { Description = "First run a path speed test on each striper link (a few seconds; user traffic keeps flowing) and judge with its capacities" };
        var maxMbit = new Option<int>("--max-mbit")
        {
            Description = $"The speed test's rate limit per path, Mbit/s (1 to 100000, default {SpeedTestRequest.DefaultMaxRateBitsPerSecond / 1e6:0})",
            DefaultValueFactory = _ => (int)(SpeedTestRequest.DefaultMaxRateBitsPerSecond / 1e6),
        };
        var command = new Command("doctor", "Why a link does not aggregate: a verdict and ranked findings from this host's own counters.") { link, dataDir, window, json, speedTest, maxMbit };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(dataDir),
            parse.GetValue(link),
            parse.GetValue(window) ?? DefaultWindow,
            parse.GetValue(json),
            parse.GetValue(speedTest) ? parse.GetValue(maxMbit) * 1e6 : null,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    /// <summary>Diagnoses without a speed test (see the overload).</summary>
    public static Task<int> RunAsync(
        string dataDirectory, string? link, TimeSpan window, bool json, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken) =>
        RunAsync(dataDirectory, link, window, json, null, output, error, time, cancellationToken);

    /// <summary>
    /// Diagnoses <paramref name="link"/> (every link when null) and prints the result; returns an exit code from
    /// <see cref="ExitCodes"/>: <see cref="ExitCodes.Success"/> when no link has a finding at warning or worse,
    /// <see cref="ExitCodes.FindingsFound"/> when one has, <see cref="ExitCodes.NotRunning"/> when there was nothing to
    /// judge (the daemon is not running, or a link had no samples), <see cref="ExitCodes.Usage"/> for a link the host
    /// does not have, <see cref="ExitCodes.DataDirectoryError"/> when the agent's files cannot be read. With
    /// <paramref name="speedTestMaxRateBitsPerSecond"/>, each link is first speed-tested through the daemon with that rate
    /// limit per path (<see cref="HostSpeedTests"/>); <see cref="ExitCodes.NotRunning"/> when the daemon does not run.
    /// </summary>
    public static async Task<int> RunAsync(
        string dataDirectory, string? link, TimeSpan window, bool json, double? speedTestMaxRateBitsPerSecond, TextWriter output, TextWriter error, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (window < TimeSpan.FromSeconds(1) || window > MaxWindow)
        {
            error.WriteLine($"--window must be 1s to {MaxWindow.TotalSeconds:0}s");
            return ExitCodes.Usage;
        }

        if (speedTestMaxRateBitsPerSecond is < 1e6 or > 100e9)
        {
            error.WriteLine("--max-mbit must be 1 to 100000");
            return ExitCodes.Usage;
        }

        IReadOnlyList<LocalLink> links;
        LocalMeasurement measurement;
        List<LinkSpeedTest>? speedTests = null;
        try
        {
            links = LocalLinks.Load(dataDirectory);
            if (link is not null)
            {
                if (LocalLinks.Find(links, link) is not { } found)
                {
                    error.WriteLine(links.Count == 0
                        ? $"no link '{link}' on this host: it has no links"
                        : $"no link '{link}' on this host; its links: {string.Join(", ", links.Select(l => l.Spec.Name))}");
                    return ExitCodes.Usage;
                }

                links = [found];
            }

            if (speedTestMaxRateBitsPerSecond is { } maxRate && links.Count > 0)
            {
                if (AtomicFile.ReadJson<AgentStatus>(DataDirectory.StatusFile(dataDirectory)) is not { } status || !StatusCommand.IsRunning(status, time))
                {
                    error.WriteLine("the agent is not running: a speed test runs in its striper engines (see `fleet-agent status`)");
                    return ExitCodes.NotRunning;
                }

                var tester = new HostSpeedTests(dataDirectory, time);
                speedTests = [];
                foreach (var local in links)
                {
                    speedTests.Add(await tester.RunAsync(local, maxRate, cancellationToken));
                }
            }

            measurement = links.Count == 0
                ? new LocalMeasurement(time.GetUtcNow(), time.GetUtcNow(), [], AgentRunning: false)
                : await new LiveMeasurement(dataDirectory, time).MeasureAsync(window, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
        {
            error.WriteLine(ex.Message);
            return ExitCodes.DataDirectoryError;
        }

        var diagnoses = HostDoctor.Diagnose(links, measurement, speedTests);
        if (json)
        {
            output.WriteLine(link is null
                ? JsonSerializer.Serialize(diagnoses, FleetJson.Options)
                : JsonSerializer.Serialize(diagnoses[0], FleetJson.Options));
        }
        else if (links.Count == 0)
        {
            output.WriteLine("no links on this host");
        }
        else
        {
            output.Write(string.Join(Environment.NewLine, links.Select((l, i) => DoctorReport.Format(l, diagnoses[i], measurement, speedTests?[i]))));
        }

        if (links.Count > 0 && !measurement.AgentRunning)
        {
            error.WriteLine("the agent is not running: no counters to judge (see `fleet-agent status`)");
        }

        return ExitCode(diagnoses);
    }

    /// <summary>The worst verdict decides: a warning or worse, then nothing to judge, then success.</summary>
    internal static int ExitCode(IReadOnlyList<Diagnosis> diagnoses)
    {
        var code = ExitCodes.Success;
        foreach (var verdict in diagnoses.Select(d => d.Verdict))
        {
            switch (verdict)
            {
                case DoctorVerdict.Limited or DoctorVerdict.Impaired:
                    return ExitCodes.FindingsFound;
                case DoctorVerdict.NoData:
                    code = ExitCodes.NotRunning;
                    break;
                case DoctorVerdict.Healthy or DoctorVerdict.NoDemand:
                    break;
                default:
                    throw new InvalidOperationException($"unknown verdict {verdict}");
            }
        }

        return code;
    }
}
