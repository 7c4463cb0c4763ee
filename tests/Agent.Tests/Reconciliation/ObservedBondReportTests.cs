using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Events;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Reconciliation;

/// <summary>A bond's driver report goes to the Api with the link's state: on the first observation and on each change, not every round.</summary>
public sealed class ObservedBondReportTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000c01");
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingReporter _reports = new();

    private static ObservedBond Report(int aggregator2) => new()
    {
        MiimonMs = 100,
        ActiveAggregatorId = 1,
        Members =
        [
            new ObservedBondMember { Member = "eth0", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "00:1b:21:3c:9d:40" },
            new ObservedBondMember { Member = "eth1", SpeedMbps = 1000, AggregatorId = aggregator2, PartnerMacAddress = aggregator2 == 1 ? "00:1b:21:3c:9d:40" : "00:00:00:00:00:00" },
        ],
    };

    [Fact]
    public async Task ObserveAsync_BondReportNewThenSameThenChanged_ReportedTwiceWithIt()
    {
        var host = new SimulatedHost("host-a", ["eth0", "eth1"], new SimulatedHostOptions(), _time);
        var bond = new ReportingBackend(new InMemoryBackend(LinkKind.Bond, host));
        var backends = new LinkBackends([bond, .. Enum.GetValues<LinkKind>().Where(k => k != LinkKind.Bond).Select(k => (ILinkBackend)new InMemoryBackend(k, host))]);
        using var reconciler = new Reconciler(backends, new InMemoryLinkStateStore(), new AgentEventLog(_time), _time, NullLogger<Reconciler>.Instance) { Reporter = _reports };
        await reconciler.InitializeAsync(TestContext.Current.CancellationToken);
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.Ieee8023ad)));
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        var before = _reports.States.Count;

        bond.Report = Report(aggregator2: 1);
        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);
        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);
        bond.Report = Report(aggregator2: 2);
        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);

        var sent = _reports.States.Skip(before).ToList();
        Assert.Equal([Report(1), Report(2)], sent.Select(s => s.Bond));
        Assert.All(sent, s => Assert.Equal((LinkPhase.Applied, 1L), (s.Phase, s.ObservedGeneration)));
        Assert.Equal(Report(2), Assert.Single(reconciler.CurrentStates()).Bond);
        Assert.Equal(Report(2), reconciler.BondOf(s_link));
    }

    /// <summary>The in-memory bond backend, its observation carrying a driver report the test sets.</summary>
    private sealed class ReportingBackend(InMemoryBackend inner) : ILinkBackend
    {
        public ObservedBond? Report { get; set; }

        public LinkKind Kind => inner.Kind;

        public BackendAvailability CheckAvailability() => inner.CheckAvailability();

        public Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken) => inner.ApplyAsync(current, desired, cancellationToken);

        public Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken) => inner.RemoveAsync(current, cancellationToken);

        public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => inner.ReleaseAsync(current, cancellationToken);

        public async Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken) =>
            await inner.ObserveAsync(applied, cancellationToken) with { Bond = Report };
    }
}
