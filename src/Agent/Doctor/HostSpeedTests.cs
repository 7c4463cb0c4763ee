using Fleet.Agent.SpeedTests;
using Fleet.Agent.Storage;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Doctor;

/// <summary>What <c>fleet-agent doctor --speed-test</c> found for one link.</summary>
/// <param name="Link">The link.</param>
/// <param name="Result">The daemon's answer for a striper link; null for other kinds.</param>
/// <param name="NotMeasured">Why the link was not measured (its kind, the daemon's error); null when it was.</param>
public sealed record LinkSpeedTest(LocalLink Link, SpeedTestFileResult? Result, string? NotMeasured);

/// <summary>
/// The speed tests of <c>fleet-agent doctor --speed-test</c>: a striper link's engine runs in the daemon, so the command
/// leaves a request in the data directory (<see cref="SpeedTestInbox"/>) and waits for the result; other kinds have no
/// in-band test, and the result says so plainly (docs/doctor.md, "Path speed test").
/// </summary>
public sealed class HostSpeedTests(string dataDirectory, TimeProvider time)
{
    /// <summary>How long the command waits for the daemon: a test takes about a second per path.</summary>
    public static TimeSpan Timeout => SpeedTestFiles.AnswerWait;

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    /// <summary>Why a link of <paramref name="kind"/> cannot be speed-tested in band; null for the striper.</summary>
    public static string? WhyNotMeasured(LinkKind kind) => kind switch
    {
        LinkKind.Striper => null,
        LinkKind.Mptcp => "not measured: MPTCP has no path of its own to load; the kernel spreads each connection over subflows, so a member cannot be loaded alone in band. The diagnosis uses the members' counters: run traffic through the link and watch each member's throughput in the window",
        LinkKind.Bond => "not measured: a kernel bond carries no test traffic of its own and hashes each flow to one member, so a member cannot be loaded alone in band. The diagnosis uses the members' counters under the traffic the bond carries",
        LinkKind.Aggregator => "not measured: an aggregator's paths are its sites'; speed-test a site's link, which loads its paths to the aggregator",
        LinkKind.Teql => "not measured: teql stripes packets in the kernel with no peer process to count them, so a member cannot be loaded alone in band. The diagnosis uses the members' counters and probe round trips",
        _ => throw new InvalidOperationException($"unknown link kind {kind}"),
    };

    /// <summary>Tests <paramref name="link"/> through the daemon (a striper link), or says why it cannot.</summary>
    /// <exception cref="IOException">The request or the result cannot be written or read.</exception>
    public async Task<LinkSpeedTest> RunAsync(LocalLink link, double maxRateBitsPerSecond, CancellationToken cancellationToken)
    {
        if (WhyNotMeasured(link.Spec.Kind) is { } why)
        {
            return new LinkSpeedTest(link, null, why);
        }

        var request = new SpeedTestFileRequest(Guid.NewGuid(), link.Spec.Name, maxRateBitsPerSecond);
        Directory.CreateDirectory(SpeedTestFiles.Requests(dataDirectory));
        AtomicFile.WriteJson(SpeedTestFiles.Request(dataDirectory, request.TestId), request, UnixFileMode.UserRead | UnixFileMode.UserWrite, durable: false);
        var resultFile = SpeedTestFiles.Result(dataDirectory, request.TestId);
        var deadline = time.GetUtcNow() + Timeout;
        try
        {
            while (time.GetUtcNow() < deadline)
            {
                if (AtomicFile.ReadJson<SpeedTestFileResult>(resultFile) is { } result)
                {
                    File.Delete(resultFile);
                    return new LinkSpeedTest(link, result, result.Error is { } error ? $"not measured: {error}" : null);
                }

                await Task.Delay(s_poll, time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: nobody waits any more (see Withdraw).
            Withdraw(request.TestId);
            throw;
        }

        Withdraw(request.TestId);
        return new LinkSpeedTest(link, null, $"not measured: the agent did not answer within {Timeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// The request removed, so a daemon that comes back does not run a test nobody waits for, and an answer already
    /// written removed; an answer the daemon writes later is swept by the daemon (<see cref="SpeedTestFiles.AnswerWait"/>).
    /// </summary>
    private void Withdraw(Guid testId)
    {
        File.Delete(SpeedTestFiles.Request(dataDirectory, testId));
        File.Delete(SpeedTestFiles.Result(dataDirectory, testId));
    }

    /// <summary>
    /// <paramref name="evidence"/> with what <paramref name="test"/> measured: each member's capacity and interface speed.
    /// Only a path the test filled counts: one that took everything it was offered (the rate limit, 100 Mbit/s by
    /// default) gives a lower bound, and a faster path would read as shaped or as mismatched with its weight.
    /// </summary>
    public static LinkEvidence WithMeasurements(LinkEvidence evidence, LinkSpeedTest? test) =>
        test?.Result is { Result: { } result } answer ? WithMeasurements(evidence, result, answer.InterfaceSpeeds) : evidence;

    /// <summary>
    /// <paramref name="evidence"/> with what <paramref name="result"/> measured (the rule above), for a result that came
    /// another way: the Api's stored speed test of the link.
    /// </summary>
    public static LinkEvidence WithMeasurements(LinkEvidence evidence, SpeedTestResult result, IReadOnlyDictionary<string, double> interfaceSpeeds) =>
        evidence with
        {
            Members = [.. evidence.Members.Select(m => result.CapacityOf(m.Member) is { } capacity
                ? m with
                {
                    MeasuredCapacityBitsPerSecond = capacity,
                    InterfaceSpeedBitsPerSecond = interfaceSpeeds.TryGetValue(m.Member, out var speed) ? speed : null,
                }
                : m)],
        };
}
