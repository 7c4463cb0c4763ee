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

/// <summary>
/// Every <c>RemoveLink</c> is answered with a <c>Removing</c> report, also when there was nothing to remove: the Api
/// sends a removal again until it hears one (docs/agent.md, "Removals").
/// </summary>
public sealed class RemovalReportTests : IDisposable
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000301");
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingReporter _reports = new();
    private readonly SimulatedHost _host;
    private readonly Reconciler _reconciler;

    public RemovalReportTests()
    {
        _host = new SimulatedHost("host-a", ["eth0", "eth1", "eth2"], new SimulatedHostOptions(), _time);
        var backends = new LinkBackends(Enum.GetValues<LinkKind>().Select(kind => (ILinkBackend)new InMemoryBackend(kind, _host)));
        _reconciler = new Reconciler(backends, new InMemoryLinkStateStore(), new AgentEventLog(_time), _time, NullLogger<Reconciler>.Instance) { Reporter = _reports };
    }

    public void Dispose() => _reconciler.Dispose();

    [Fact]
    public async Task RemoveAsync_LinkUnknownHere_ReportsRemovingWithoutAwaitingConfirm()
    {
        await _reconciler.InitializeAsync(TestContext.Current.CancellationToken);

        await _reconciler.RemoveAsync(s_link);

        var report = Assert.Single(_reports.States);
        Assert.Equal(s_link, report.LinkId);
        Assert.True(report.Removing);
        Assert.False(report.AwaitingConfirm);
        Assert.Equal(0, report.ObservedGeneration);
    }

    [Fact]
    public async Task RemoveAsync_LinkWhoseApplyFailed_ForgottenAndReportedRemoving()
    {
        await _reconciler.InitializeAsync(TestContext.Current.CancellationToken);
        await _reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond(members: ["eth9"])));
        Assert.Equal(LinkPhase.Failed, _reports.Last.Phase);

        await _reconciler.RemoveAsync(s_link);

        Assert.True(_reports.Last.Removing);
        Assert.False(_reports.Last.AwaitingConfirm);
        Assert.Equal(1, _reports.Last.TargetGeneration);
        Assert.Empty(_reconciler.CurrentStates());
    }

    [Fact]
    public async Task RemoveAsync_SentAgainWhileTheRemovalAwaitsConfirm_ReportsItAgain()
    {
        await _reconciler.InitializeAsync(TestContext.Current.CancellationToken);
        await _reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));
        await _reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        await _reconciler.RemoveAsync(s_link);
        var reports = _reports.States.Count;

        await _reconciler.RemoveAsync(s_link);

        Assert.Equal(reports + 1, _reports.States.Count);
        Assert.True(_reports.Last.Removing && _reports.Last.AwaitingConfirm);
        Assert.Empty(_host.Links);
    }
}
