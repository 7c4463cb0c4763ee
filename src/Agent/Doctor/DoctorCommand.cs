using System.CommandLine;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;

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
        var command = new Command("doctor", "Why a link does not aggregate: a verdict and ranked findings from this host's own counters.") { link, dataDir, window, json };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(dataDir),
            parse.GetValue(link),
            parse.GetValue(window) ?? DefaultWindow,
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    /// <summary>
    /// Diagnoses <paramref name="link"/> (every link when null) and prints the result; returns an exit code from
    /// <see cref="ExitCodes"/>: <see cref="ExitCodes.Success"/> when no link has a finding at warning or worse,
    /// <see cref="ExitCodes.FindingsFound"/> when one has, <see cref="ExitCodes.NotRunning"/> when there was nothing to
    /// judge (the daemon is not running, or a link had no samples), <see cref="ExitCodes.Usage"/> for a link the host
    /// does not have, <see cref="ExitCodes.DataDirectoryError"/> when the agent's files cannot be read.
    /// </summary>
    public static async Task<int> RunAsync(
        string dataDirectory, string? link, TimeSpan window, bool json, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        if (window < TimeSpan.FromSeconds(1) || window > MaxWindow)
        {
            error.WriteLine($"--window must be 1s to {MaxWindow.TotalSeconds:0}s");
            return ExitCodes.Usage;
        }

        IReadOnlyList<LocalLink> links;
        LocalMeasurement measurement;
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

            measurement = links.Count == 0
                ? new LocalMeasurement(time.GetUtcNow(), time.GetUtcNow(), [], AgentRunning: false)
                : await new LiveMeasurement(dataDirectory, time).MeasureAsync(window, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
        {
            error.WriteLine(ex.Message);
            return ExitCodes.DataDirectoryError;
        }

        var diagnoses = HostDoctor.Diagnose(links, measurement);
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
            output.Write(string.Join(Environment.NewLine, links.Select((l, i) => DoctorReport.Format(l, diagnoses[i], measurement))));
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
