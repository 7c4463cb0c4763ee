using Fleet.Agent.Identity;
using Fleet.Agent.SpeedTests;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Hub;

/// <summary>
/// The Api's speed test orders through the real hub client and a real SignalR hub on loopback: every order is answered
/// (with the result, or a result whose error says why there is none), and a test in progress does not hold up specs.
/// </summary>
public sealed class SpeedTestOrdersTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000411");
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000412");
    private const string Credential = "fleet_a_test-credential-speedtests";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AgentIdentity Identity(Uri server) => new(server, s_host, Credential, DateTimeOffset.UtcNow, "test");

    [Fact]
    public async Task RunSpeedTest_NoStriperOnTheHost_ReportsAResultWithTheReason()
    {
        var state = new TestHubState(s_host, Credential);
        await using var api = await TestAgentApi.StartAsync(state);
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200));
        agent.Start();
        await Eventually.TrueAsync(() => !state.Hellos.IsEmpty, "hello");
        var testId = Guid.CreateVersion7();

        await api.OrderSpeedTestAsync(new SpeedTestOrder(testId, s_link, "str0", 100e6));

        await Eventually.TrueAsync(() => !state.SpeedTests.IsEmpty, "speed test reported");
        var report = Assert.Single(state.SpeedTests);
        Assert.Equal((testId, s_link), (report.TestId, report.LinkId));
        Assert.Empty(report.Result.Paths);
        Assert.Equal("this agent runs no striper (a simulated host)", report.Result.Error);
    }

    [Fact]
    public async Task RunSpeedTest_WhileTheTestRuns_SpecsAreAppliedAndTheResultFollows()
    {
        var state = new TestHubState(s_host, Credential);
        await using var api = await TestAgentApi.StartAsync(state);
        var tester = new HeldTester();
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200), speedTester: tester);
        agent.Start();
        await Eventually.TrueAsync(() => !state.Hellos.IsEmpty, "hello");
        var testId = Guid.CreateVersion7();

        await api.OrderSpeedTestAsync(new SpeedTestOrder(testId, s_link, "str0", 20e6));
        await tester.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await api.PushAsync(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied && s.ObservedGeneration == 1), "link applied while the test runs");
        Assert.Empty(state.SpeedTests);
        Assert.Equal(("str0", 20e6), tester.Asked);
        tester.Release.SetResult();
        await Eventually.TrueAsync(() => !state.SpeedTests.IsEmpty, "speed test reported");
        var report = Assert.Single(state.SpeedTests);
        Assert.Equal(testId, report.TestId);
        Assert.Null(report.Result.Error);
        Assert.Equal(9.5e6, Assert.Single(report.Result.Paths).CapacityBitsPerSecond);
        Assert.Equal(1e9, report.InterfaceSpeeds["eth1"]);
    }

    /// <summary>A tester whose test lasts until the test releases it.</summary>
    private sealed class HeldTester : ILinkSpeedTester
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public (string Link, double MaxRate) Asked { get; private set; }

        public async Task<SpeedTestOutcome> RunAsync(string link, double maxRateBitsPerSecond, CancellationToken cancellationToken)
        {
            Asked = (link, maxRateBitsPerSecond);
            Started.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
            var path = new PathSpeedResult("eth1", true, null, 9.5e6, 0, 20e6, 1, 30, 0, true);
            return new SpeedTestOutcome(
                new SpeedTestResult(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), SpeedTestResult.ToPeer, [path], 0, null),
                null,
                new Dictionary<string, double> { ["eth1"] = 1e9 });
        }
    }
}
