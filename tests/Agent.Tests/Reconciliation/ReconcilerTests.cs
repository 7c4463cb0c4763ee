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

public sealed class ReconcilerTests : IDisposable
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000101");
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryLinkStateStore _store = new();
    private readonly RecordingReporter _reports = new();
    private readonly List<Reconciler> _reconcilers = [];
    private SimulatedHost _host;
    private AgentEventLog _events;

    public ReconcilerTests()
    {
        _host = NewHost();
        _events = new AgentEventLog(_time);
    }

    public void Dispose()
    {
        foreach (var reconciler in _reconcilers)
        {
            reconciler.Dispose();
        }
    }

    private SimulatedHost NewHost(IReadOnlyDictionary<LinkKind, string>? unavailable = null) =>
        new("host-a", ["eth0", "eth1", "eth2"], new SimulatedHostOptions { UnavailableKinds = unavailable ?? new Dictionary<LinkKind, string>() }, _time);

    private async Task<Reconciler> StartAsync(SimulatedHost? host = null)
    {
        host ??= _host;
        var backends = new LinkBackends(Enum.GetValues<LinkKind>().Select(kind => (ILinkBackend)new InMemoryBackend(kind, host)));
        var reconciler = new Reconciler(backends, _store, _events, _time, NullLogger<Reconciler>.Instance) { Reporter = _reports };
        _reconcilers.Add(reconciler);
        await reconciler.InitializeAsync(TestContext.Current.CancellationToken);
        return reconciler;
    }

    private async Task<Reconciler> WithConfirmedGeneration1Async(LinkSpec spec)
    {
        var reconciler = await StartAsync();
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, spec));
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        return reconciler;
    }

    [Fact]
    public async Task ApplyAsync_ValidSpec_AppliesAndAwaitsConfirmation()
    {
        var reconciler = await StartAsync();
        var spec = Specs.Bond();

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, spec));

        Assert.True(LinkSpecEquality.AreEquivalent(spec, _host.Links["bond0"]));
        Assert.Equal(LinkPhase.Applying, _reports.States[0].Phase);
        Assert.False(_reports.States[0].AwaitingConfirm);
        var last = _reports.Last;
        Assert.Equal(LinkPhase.Applying, last.Phase);
        Assert.True(last.AwaitingConfirm);
        Assert.Equal(1, last.TargetGeneration);
        Assert.Equal(0, last.ObservedGeneration);
    }

    [Fact]
    public async Task ConfirmAsync_PendingGeneration_ReportsApplied()
    {
        var reconciler = await StartAsync();
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));

        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        _time.Advance(TimeSpan.FromMinutes(5));
        await reconciler.DrainAsync();

        var last = _reports.Last;
        Assert.Equal(LinkPhase.Applied, last.Phase);
        Assert.Equal(1, last.ObservedGeneration);
        Assert.False(last.AwaitingConfirm);
        Assert.Contains(_events.Drain(), e => e.Kind == AgentEventKind.Applied);
        Assert.True(_host.Links.ContainsKey("bond0"));
    }

    [Fact]
    public async Task ConfirmWithheld_AfterTimeout_RestoresPreviousGenerationAndReportsRolledBack()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());
        var change = Specs.Bond(mode: BondMode.BalanceRoundRobin, confirmTimeoutSeconds: 10, members: ["eth0", "eth2"]);
        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, change));
        Assert.True(LinkSpecEquality.AreEquivalent(change, _host.Links["bond0"]));

        _time.Advance(TimeSpan.FromSeconds(9));
        await reconciler.DrainAsync();
        Assert.True(_reports.Last.AwaitingConfirm);

        _time.Advance(TimeSpan.FromSeconds(2));
        await reconciler.DrainAsync();

        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), _host.Links["bond0"]));
        var last = _reports.Last;
        Assert.Equal(LinkPhase.RolledBack, last.Phase);
        Assert.Equal(1, last.ObservedGeneration);
        Assert.Equal(2, last.TargetGeneration);
        Assert.Contains("not confirmed", last.Error);
        Assert.Contains("generation 1 restored", last.Error);
        Assert.Contains(_events.Drain(), e => e.Kind == AgentEventKind.RolledBack);
    }

    [Fact]
    public async Task ConfirmWithheld_NewLink_IsRemovedAgain()
    {
        var reconciler = await StartAsync();
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond(confirmTimeoutSeconds: 5)));

        _time.Advance(TimeSpan.FromSeconds(6));
        await reconciler.DrainAsync();

        Assert.Empty(_host.Links);
        Assert.Equal(LinkPhase.RolledBack, _reports.Last.Phase);
        Assert.Equal(0, _reports.Last.ObservedGeneration);
    }

    [Fact]
    public async Task ConfirmAsync_AfterRollback_IsIgnored()
    {
        var reconciler = await StartAsync();
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond(confirmTimeoutSeconds: 5)));
        _time.Advance(TimeSpan.FromSeconds(6));
        await reconciler.DrainAsync();

        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        Assert.Equal(LinkPhase.RolledBack, _reports.Last.Phase);
        Assert.Empty(_host.Links);
    }

    [Fact]
    public async Task ApplyAsync_InvalidSpec_FailsWithReasonAndKeepsPreviousState()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());
        var changes = _host.ChangeCount;
        var invalid = Specs.Bond() with { Members = [new MemberSpec { Interface = "eth0" }, new MemberSpec { Interface = "bad name!" }] };

        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, invalid));

        var last = _reports.Last;
        Assert.Equal(LinkPhase.Failed, last.Phase);
        Assert.Equal(2, last.TargetGeneration);
        Assert.Equal(1, last.ObservedGeneration);
        Assert.StartsWith("invalid spec: members[1].interface", last.Error);
        Assert.Equal(changes, _host.ChangeCount);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), _host.Links["bond0"]));
        Assert.Contains(_events.Drain(), e => e.Kind == AgentEventKind.ApplyFailed);
    }

    [Fact]
    public async Task ApplyAsync_BackendFails_RestoresPreviousSpecAndReportsFailed()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());

        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond(members: ["eth0", "eth9"])));

        var last = _reports.Last;
        Assert.Equal(LinkPhase.Failed, last.Phase);
        Assert.Contains("Cannot find device \"eth9\"", last.Error);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), _host.Links["bond0"]));
        Assert.Equal(1, last.ObservedGeneration);
    }

    [Fact]
    public async Task ApplyAsync_KindUnavailable_FailsWithTheHostsReason()
    {
        var host = NewHost(new Dictionary<LinkKind, string> { [LinkKind.Bond] = "bonding driver not available in kernel 6.18" });
        var reconciler = await StartAsync(host);

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));

        Assert.Equal(LinkPhase.Failed, _reports.Last.Phase);
        Assert.Equal("bond links are not available on this host: bonding driver not available in kernel 6.18", _reports.Last.Error);
        Assert.Empty(host.Links);
    }

    [Fact]
    public async Task ApplyAsync_FailedGenerationRepeated_IsNotRetried()
    {
        var attempts = 0;
        _host.FailApply = _ =>
        {
            attempts++;
            return "RTNETLINK answers: Operation not permitted";
        };
        var reconciler = await StartAsync();

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));

        Assert.Equal(1, attempts);
        Assert.Equal(LinkPhase.Failed, _reports.Last.Phase);

        _host.FailApply = null;
        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond()));
        Assert.True(_reports.Last.AwaitingConfirm);
    }

    [Fact]
    public async Task ApplyAsync_OlderGeneration_IsIgnored()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());
        await reconciler.ApplyAsync(new DesiredLink(s_link, 3, Specs.Bond(members: ["eth1", "eth2"])));

        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond(members: ["eth0", "eth2"])));

        Assert.Equal(3, _reports.Last.TargetGeneration);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(members: ["eth1", "eth2"]), _host.Links["bond0"]));
    }

    [Fact]
    public async Task ApplyAsync_KindChange_RemovesOldLinkAndCreatesNew()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());

        await reconciler.ApplyAsync(new DesiredLink(s_link, 2, Specs.Striper()));

        Assert.False(_host.Links.ContainsKey("bond0"));
        Assert.True(_host.Links.ContainsKey("str0"));
        Assert.True(_reports.Last.AwaitingConfirm);
    }

    [Fact]
    public async Task InitializeAsync_PendingBeforeDeadline_ResumesAndRollsBackAtDeadline()
    {
        var first = await WithConfirmedGeneration1Async(Specs.Bond());
        await first.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond(members: ["eth1", "eth2"], confirmTimeoutSeconds: 20)));
        first.Dispose();
        _time.Advance(TimeSpan.FromSeconds(5));

        // The agent restarts on a host whose state is gone (a reboot).
        _host = NewHost();
        var second = await StartAsync(_host);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(members: ["eth1", "eth2"], confirmTimeoutSeconds: 20), _host.Links["bond0"]));
        Assert.True(second.CurrentStates().Single().AwaitingConfirm);

        _time.Advance(TimeSpan.FromSeconds(16));
        await second.DrainAsync();

        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), _host.Links["bond0"]));
        Assert.Equal(LinkPhase.RolledBack, second.CurrentStates().Single().Phase);
    }

    [Fact]
    public async Task InitializeAsync_PendingPastDeadline_RollsBackAtOnce()
    {
        var first = await WithConfirmedGeneration1Async(Specs.Bond());
        await first.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond(members: ["eth1", "eth2"], confirmTimeoutSeconds: 5)));
        first.Dispose();
        _time.Advance(TimeSpan.FromSeconds(60));

        _host = NewHost();
        var second = await StartAsync(_host);

        var state = second.CurrentStates().Single();
        Assert.Equal(LinkPhase.RolledBack, state.Phase);
        Assert.Contains("restarted", state.Error);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), _host.Links["bond0"]));
    }

    [Fact]
    public async Task InitializeAsync_AppliedSpec_IsRestoredOnAFreshHost()
    {
        var first = await WithConfirmedGeneration1Async(Specs.Striper());
        first.Dispose();

        _host = NewHost();
        var second = await StartAsync(_host);

        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Striper(), _host.Links["str0"]));
        Assert.Equal(LinkPhase.Applied, second.CurrentStates().Single().Phase);
        Assert.Equal(1, second.CurrentStates().Single().ObservedGeneration);
    }

    [Fact]
    public async Task ObserveAsync_ChangedByHand_ReportsDriftOnce()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());
        _host.Tamper("bond0", "miimon is 0 on the host, 100 in the spec");

        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);
        var reportsAfterFirst = _reports.States.Count;
        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);

        Assert.Equal(LinkPhase.Drifted, _reports.Last.Phase);
        Assert.Equal("miimon is 0 on the host, 100 in the spec", _reports.Last.Error);
        Assert.Equal(reportsAfterFirst, _reports.States.Count);
        Assert.Single(_events.Drain(), e => e.Kind == AgentEventKind.Drift);
    }

    [Fact]
    public async Task ObserveAsync_DriftWithRepair_ReappliesSpec()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond(repairDrift: true));
        _host.DeleteByHand("bond0");

        await reconciler.ObserveAsync(TestContext.Current.CancellationToken);

        Assert.True(_host.Links.ContainsKey("bond0"));
        Assert.Equal(LinkPhase.Applied, _reports.Last.Phase);
        var events = _events.Drain();
        Assert.Contains(events, e => e.Kind == AgentEventKind.Drift && e.Message.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == AgentEventKind.Drift && e.Message.Contains("repaired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoveAsync_TearsDownAndForgets()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());

        await reconciler.RemoveAsync(s_link);

        // A removal is committed by the Api's confirmation, like an apply (issue 10).
        Assert.Empty(_host.Links);
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        Assert.Empty(reconciler.CurrentStates());
        Assert.Empty(_store.Load());
    }

    [Fact]
    public async Task SyncAsync_RemovesLinksTheApiNoLongerNames()
    {
        var reconciler = await WithConfirmedGeneration1Async(Specs.Bond());
        var other = Guid.Parse("0197a000-0000-7000-8000-000000000202");

        await reconciler.SyncAsync([new DesiredLink(other, 1, Specs.Striper(members: ["eth2"]))]);

        Assert.False(_host.Links.ContainsKey("bond0"));
        Assert.True(_host.Links.ContainsKey("str0"));
        Assert.True(reconciler.CurrentStates().Single(s => s.LinkId == s_link).Removing);
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        Assert.Equal(other, reconciler.CurrentStates().Single().LinkId);
    }

    [Fact]
    public async Task FileLinkStateStore_RoundTripsRecordsWithOwnerOnlyMode()
    {
        using var dir = new TempDirectory();
        var store = new FileLinkStateStore(dir.Path);
        var record = new LinkRecord
        {
            LinkId = s_link,
            Applied = new GenerationSpec(1, Specs.Striper()),
            Pending = new PendingChange(2, Specs.Bond(), _time.GetUtcNow()),
            TargetGeneration = 2,
            Phase = LinkPhase.Applying,
        };

        store.Save([record]);
        var loaded = store.Load().Single();

        Assert.True(LinkSpecEquality.AreEquivalent(record.Applied.Spec, loaded.Applied!.Spec));
        Assert.True(LinkSpecEquality.AreEquivalent(record.Pending.Spec, loaded.Pending!.Spec));
        Assert.Equal(record.Pending.Deadline, loaded.Pending.Deadline);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine(FileLinkStateStore.FileName)));
        await Task.CompletedTask;
    }

    /// <summary>Issue 10 (High 3): a state file that cannot be written was logged and the change applied anyway.</summary>
    [Fact]
    public async Task ApplyAsync_StateCannotBeSaved_RefusesWithoutTouchingTheHost()
    {
        var backends = new LinkBackends(Enum.GetValues<LinkKind>().Select(kind => (ILinkBackend)new InMemoryBackend(kind, _host)));
        var store = new UnwritableStore();
        using var reconciler = new Reconciler(backends, store, _events, _time, NullLogger<Reconciler>.Instance) { Reporter = _reports };
        await reconciler.InitializeAsync(TestContext.Current.CancellationToken);

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));

        Assert.Empty(_host.Links);
        Assert.Equal(LinkPhase.Failed, _reports.Last.Phase);
        Assert.Contains("No space left on device", _reports.Last.Error, StringComparison.Ordinal);
    }

    private sealed class UnwritableStore : ILinkStateStore
    {
        public IReadOnlyList<LinkRecord> Load() => [];

        public void Save(IReadOnlyList<LinkRecord> records) => throw new IOException("No space left on device");
    }
}
