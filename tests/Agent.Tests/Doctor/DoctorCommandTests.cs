using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Hub;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.SpeedTests;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Doctor;

/// <summary><c>fleet-agent doctor</c> on a data directory written as the daemon writes it.</summary>
public sealed class DoctorCommandTests : IDisposable
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000b01");
    private static readonly Guid s_bond = Guid.Parse("0197a000-0000-7000-8000-000000000b02");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void WriteLinks() => new FileLinkStateStore(_dir.Path).Save(
    [
        new LinkRecord { LinkId = s_link, Applied = new GenerationSpec(1, Specs.Striper("str0", "eth0", "eth1")), TargetGeneration = 1, Phase = LinkPhase.Applied },
        new LinkRecord { LinkId = s_bond, Applied = new GenerationSpec(1, Specs.Bond("bond0", BondMode.BalanceRoundRobin, members: ["eth2", "eth3"])), TargetGeneration = 1, Phase = LinkPhase.Applied },
    ]);

    /// <summary>A running daemon's status (this process stands for it) whose last interval has <paramref name="samples"/>.</summary>
    private void WriteStatus(params MemberSample[] samples)
    {
        var now = DateTimeOffset.UtcNow;
        AtomicFile.WriteJson(DataDirectory.StatusFile(_dir.Path), new AgentStatus
        {
            ProcessId = Environment.ProcessId,
            AgentVersion = "1.2.3",
            HostId = Guid.NewGuid(),
            Server = "https://fleet.example.net/",
            StartedAt = now,
            UpdatedAt = now,
            SampleIntervalMs = 1000,
            Connection = new ConnectionStatus(HubConnectionStatus.Disconnected, now, 1, "connection refused"),
            Queue = new BatchQueueStats(0, 0, 1024, 0, 0),
            Links = [.. samples.GroupBy(s => s.LinkId).Select(g => new LinkStatus
            {
                LinkId = g.Key,
                Phase = LinkPhase.Applied,
                ObservedGeneration = 1,
                TargetGeneration = 1,
                Members = [.. g.Select(s => new MemberStatus(s.Member, s.Health))],
                Samples = [.. g],
            })],
        }, AtomicFile.WorldReadable);
    }

    private static MemberSample Sample(Guid link, string member, double loss) =>
        HostDoctorTests.Sample(link, member, 0, loss: loss) with { Time = DateTimeOffset.UtcNow };

    private Task<(int Code, string Output, string Error)> DoctorAsync(params string[] arguments) =>
        CommandLine.InvokeAsync(["doctor", "--data-dir", _dir.Path, "--window", "1s", .. arguments], TestContext.Current.CancellationToken);

    [Fact]
    public async Task Doctor_LossyMember_JsonIsTheDiagnosisResourceAndExitCodeSaysFindings()
    {
        WriteLinks();
        WriteStatus(Sample(s_link, "eth0", 0), Sample(s_link, "eth1", 8));

        var (code, output, error) = await DoctorAsync("str0", "--json");

        Assert.True(code == ExitCodes.FindingsFound, $"exit {code}: {error}");
        var diagnosis = JsonSerializer.Deserialize<Diagnosis>(output, FleetJson.Options)!;
        Assert.Equal((s_link, DoctorVerdict.Limited), (diagnosis.LinkId, diagnosis.Verdict));
        Assert.Equal(("lossy_member", "eth1"), (diagnosis.Findings[0].Code, diagnosis.Findings[0].Member));
        Assert.Contains("\"verdict\":\"limited\"", output, StringComparison.Ordinal);
    }

    /// <summary>A finding about no member (no_demand) must read back: the JSON left its null member out, which Fleet's options then refused.</summary>
    [Fact]
    public async Task Doctor_IdleLink_JsonWithAFindingWithoutMemberReadsBack()
    {
        WriteLinks();
        WriteStatus(Sample(s_link, "eth0", 0) with { TxBytes = 10 }, Sample(s_link, "eth1", 0) with { TxBytes = 10 });

        var (code, output, error) = await DoctorAsync("str0", "--json");

        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}");
        var diagnosis = JsonSerializer.Deserialize<Diagnosis>(output, FleetJson.Options)!;
        Assert.Equal(DoctorVerdict.NoDemand, diagnosis.Verdict);
        Assert.Equal(("no_demand", null), (diagnosis.Findings[0].Code, diagnosis.Findings[0].Member));
    }

    [Fact]
    public async Task Doctor_EveryLink_TextHasVerdictWindowRankedFindingsAndMembers()
    {
        WriteLinks();
        WriteStatus(Sample(s_link, "eth0", 0), Sample(s_link, "eth1", 8));

        var (code, output, _) = await DoctorAsync();

        Assert.Equal(ExitCodes.FindingsFound, code);
        Assert.Contains($"str0 (striper, {s_link}): limited — eth1 loses 8 % of its packets", output, StringComparison.Ordinal);
        Assert.Contains("  window    live measurement,", output, StringComparison.Ordinal);
        Assert.Contains("  1. warning lossy_member (eth1): eth1 loses 8 % of its packets", output, StringComparison.Ordinal);
        Assert.Contains("     observed    loss 8 % on eth1 against 0 % on the best other member, average over the last 1 s", output, StringComparison.Ordinal);
        Assert.Contains("     suggestion  ", output, StringComparison.Ordinal);
        Assert.Contains("  member    eth0: 1 samples, down in 0 %, 10 Mbit/s, peak 10 Mbit/s out, rtt 20 ms, loss 0 %", output, StringComparison.Ordinal);

        // The bond had no sample in the measurement: nothing to judge, said so rather than called healthy.
        Assert.Contains($"bond0 (bond, {s_bond}): no_data", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_HealthyLink_ExitsZero()
    {
        WriteLinks();
        WriteStatus(Sample(s_link, "eth0", 0), Sample(s_link, "eth1", 0));

        var (code, output, error) = await DoctorAsync(s_link.ToString());

        Assert.True(code == ExitCodes.Success, $"exit {code}: {output} {error}");
        Assert.Contains("str0 (striper", output, StringComparison.Ordinal);
        Assert.Contains(": healthy — Healthy: 2 members carrying", output, StringComparison.Ordinal);
        Assert.DoesNotContain("bond0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_UnknownLink_UsageErrorNamingTheHostsLinks()
    {
        WriteLinks();

        var (code, output, error) = await DoctorAsync("nope0");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Contains("no link 'nope0' on this host; its links: bond0, str0", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_AgentNotRunning_NoDataAndNotRunningExitCode()
    {
        WriteLinks();

        var (code, output, error) = await DoctorAsync("str0");

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains("str0 (striper", output, StringComparison.Ordinal);
        Assert.Contains("no_data", output, StringComparison.Ordinal);
        Assert.Contains("none: the agent is not running", output, StringComparison.Ordinal);
        Assert.Contains("the agent is not running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_LinksFileDamaged_DataDirectoryErrorAndTheFileStays()
    {
        var path = Path.Combine(_dir.Path, FileLinkStateStore.FileName);
        File.WriteAllText(path, "{ not json");

        var (code, _, error) = await DoctorAsync();

        Assert.Equal(ExitCodes.DataDirectoryError, code);
        Assert.Contains("links.json cannot be read", error, StringComparison.Ordinal);
        Assert.Equal("{ not json", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("2m")]
    public async Task Doctor_WindowOutOfRange_Usage(string window)
    {
        var (code, _, error) = await CommandLine.InvokeAsync(["doctor", "--data-dir", _dir.Path, "--window", window], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--window must be 1s to 60s", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_NoLinks_SaysSoAndExitsZero()
    {
        var (code, output, _) = await DoctorAsync("--json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("[]", output.Trim());
    }

    [Fact]
    public async Task DoctorSpeedTest_AgentNotRunning_NotRunningExitCode()
    {
        WriteLinks();

        var (code, _, error) = await DoctorAsync("str0", "--speed-test");

        Assert.Equal(ExitCodes.NotRunning, code);
        Assert.Contains("a speed test runs in its striper engines", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(SpeedTestFiles.Requests(_dir.Path)) && Directory.EnumerateFiles(SpeedTestFiles.Requests(_dir.Path)).Any());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public async Task DoctorSpeedTest_MaxRateOutOfRange_Usage(string mbit)
    {
        var (code, _, error) = await DoctorAsync("--speed-test", "--max-mbit", mbit);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--max-mbit must be 1 to 100000", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoctorSpeedTest_StriperAnsweredBondNot_PrintsTheCapacitiesAndSaysWhyTheBondIsNotMeasured()
    {
        WriteLinks();
        WriteStatus(Sample(s_link, "eth0", 0), Sample(s_link, "eth1", 0), Sample(s_bond, "eth2", 0), Sample(s_bond, "eth3", 0));
        // This test stands for the daemon: it answers the request the command leaves.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var daemon = AnswerOneRequestAsync(stop.Token);

        var (code, output, error) = await DoctorAsync("--speed-test", "--max-mbit", "50");
        if (!daemon.IsCompleted)
        {
            await stop.CancelAsync(); // the command never asked: the await below says so
        }

        var request = await daemon;

        Assert.True(code is ExitCodes.Success or ExitCodes.FindingsFound, $"exit {code}: {output} {error}");
        Assert.Equal(("str0", 50e6), (request.Link, request.MaxRateBitsPerSecond));
        Assert.Contains("  speed     to the peer, 2.5 s at most 50 Mbit/s per path; all paths together 68.8 Mbit/s", output, StringComparison.Ordinal);
        Assert.Contains("  speed     eth0: 9.9 Mbit/s alone, 9.8 Mbit/s together, rtt 0.2 ms idle, 50 ms loaded, loss 0.1 % at 80 % load", output, StringComparison.Ordinal);
        Assert.Contains("  speed     eth1: at least 50 Mbit/s alone", output, StringComparison.Ordinal);
        Assert.Contains("  speed     not measured: a kernel bond carries no test traffic of its own", output, StringComparison.Ordinal);
        Assert.Contains("shaping_upstream (eth0): eth0 carries far less than its interface's speed", output, StringComparison.Ordinal);
        Assert.False(File.Exists(SpeedTestFiles.Result(_dir.Path, request.TestId)), "the command removes the result it read");
    }

    private async Task<SpeedTestFileRequest> AnswerOneRequestAsync(CancellationToken cancellationToken)
    {
        var directory = SpeedTestFiles.Requests(_dir.Path);
        while (true)
        {
            var file = Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.json").FirstOrDefault() : null;
            if (file is not null && AtomicFile.ReadJson<SpeedTestFileRequest>(file) is { } request)
            {
                var result = new SpeedTestResult(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2.5), SpeedTestResult.ToPeer,
                [
                    new PathSpeedResult("eth0", true, null, 9.9e6, 9.8e6, 50e6, 0.2, 50, 0.1, true),
                    new PathSpeedResult("eth1", true, null, 50e6, 59e6, 50e6, 0.2, 3, 0, false),
                ], 68.8e6, null);
                var speeds = new Dictionary<string, double> { ["eth0"] = 1e9 };
                AtomicFile.WriteJson(SpeedTestFiles.Result(_dir.Path, request.TestId), new SpeedTestFileResult(request.TestId, request.Link, result, null, speeds), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Delete(file);
                return request;
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
