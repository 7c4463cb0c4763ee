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
/// Issue 10, the reconciler's decisions about devices it did not create and about removals, over a simulated host
/// whose captures say which devices exist (the bond case: this machine has no bonding; the real path is tested with
/// a TUN device in <see cref="DeviceAdoptionTests"/>).
/// </summary>
public sealed class DeviceOwnershipTests : IDisposable
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000b01");
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryLinkStateStore _store = new();
    private readonly RecordingReporter _reports = new();
    private readonly List<Reconciler> _reconcilers = [];
    private readonly SimulatedHost _host;
    private readonly RecordingBackend _bond;

    public DeviceOwnershipTests()
    {
        _host = new SimulatedHost("host-a", ["eth0", "eth1", "eth2"], new SimulatedHostOptions(), _time);
        _bond = new RecordingBackend(new InMemoryBackend(LinkKind.Bond, _host));
    }

    public void Dispose()
    {
        foreach (var reconciler in _reconcilers)
        {
            reconciler.Dispose();
        }
    }

    [Fact]
    public async Task ApplyAsync_BondNameOfADeviceFleetDidNotCreate_FailedAndHostUntouched()
    {
        var reconciler = await StartAsync(foreign: "bond0");

        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));

        Assert.Equal(LinkPhase.Failed, _reports.Last.Phase);
        Assert.Contains("Fleet did not create", _reports.Last.Error, StringComparison.Ordinal);
        Assert.Contains("adopt", _reports.Last.Error, StringComparison.Ordinal);
        Assert.Empty(_host.Links);
        Assert.Empty(_bond.Applied);
    }

    [Fact]
    public async Task RemoveAsync_AdoptedBond_IsReleasedNeverDeleted()
    {
        var reconciler = await StartAsync(foreign: "bond0");
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond() with { Adopt = true }));
        Assert.True(_reports.Last.AwaitingConfirm, _reports.Last.Error);
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        await reconciler.RemoveAsync(s_link);
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        Assert.Empty(reconciler.CurrentStates());
        Assert.DoesNotContain("bond0", _bond.Removed);
    }

    [Fact]
    public async Task ApplyAsync_DeviceFleetCreatedBeforeARestart_IsStillFleetsAndDeletedOnRemoval()
    {
        var first = await StartAsync();
        await first.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));
        await first.ConfirmAsync(new LinkConfirmation(s_link, 1));
        first.Dispose();

        var restarted = await StartAsync();
        await restarted.ApplyAsync(new DesiredLink(s_link, 2, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        Assert.True(_reports.Last.AwaitingConfirm, _reports.Last.Error);
        await restarted.ConfirmAsync(new LinkConfirmation(s_link, 2));
        await restarted.RemoveAsync(s_link);
        await restarted.ConfirmAsync(new LinkConfirmation(s_link, 2));

        Assert.Contains("bond0", _bond.Removed);
        Assert.Empty(_host.Links);
    }

    [Fact]
    public async Task RemoveAsync_AwaitsConfirmation_ThenForgets()
    {
        var reconciler = await StartAsync();
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond()));
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        await reconciler.RemoveAsync(s_link);

        Assert.Empty(_host.Links);
        var removing = _reports.Last;
        Assert.True(removing.Removing, "the removal is reported");
        Assert.True(removing.AwaitingConfirm);
        Assert.Equal(1, removing.TargetGeneration);

        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        Assert.Empty(reconciler.CurrentStates());
        Assert.Empty(_store.Load());
    }

    [Fact]
    public async Task RemoveAsync_AgentRestartedAndDeadlinePassed_LinkIsPutBack()
    {
        var first = await StartAsync();
        await first.ApplyAsync(new DesiredLink(s_link, 1, Specs.Bond(confirmTimeoutSeconds: 10)));
        await first.ConfirmAsync(new LinkConfirmation(s_link, 1));
        await first.RemoveAsync(s_link);
        first.Dispose();
        Assert.Empty(_host.Links);

        _time.Advance(TimeSpan.FromSeconds(11));
        var restarted = await StartAsync();

        Assert.True(_host.Links.ContainsKey("bond0"), "the unconfirmed removal was rolled back at start");
        var state = Assert.Single(restarted.CurrentStates());
        Assert.Equal(LinkPhase.RolledBack, state.Phase);
        Assert.Equal(1, state.ObservedGeneration);
        Assert.False(state.Removing);
    }

    private async Task<Reconciler> StartAsync(string? foreign = null)
    {
        var backends = new LinkBackends([_bond]);
        var reconciler = new Reconciler(backends, new DevicesHostState(_host, foreign), _store, new AgentEventLog(_time), _time, NullLogger<Reconciler>.Instance) { Reporter = _reports };
        _reconcilers.Add(reconciler);
        await reconciler.InitializeAsync(TestContext.Current.CancellationToken);
        return reconciler;
    }

    /// <summary>Captures say a device exists when the simulated host has a link of that name or it is the foreign one.</summary>
    private sealed class DevicesHostState(SimulatedHost host, string? foreign) : IHostState
    {
        public Task<HostSnapshot> CaptureAsync(IReadOnlyCollection<string> interfaces, CancellationToken cancellationToken) =>
            Task.FromResult(new HostSnapshot
            {
                Interfaces = [.. interfaces.Select(name => new InterfaceSnapshot { Name = name, Exists = name == foreign || host.Links.ContainsKey(name), Up = true })],
            });

        public Task<string?> RestoreAsync(HostSnapshot snapshot, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    /// <summary>Passes every call on and notes which devices were applied and removed.</summary>
    private sealed class RecordingBackend(ILinkBackend inner) : ILinkBackend
    {
        public List<string> Applied { get; } = [];

        public List<string> Removed { get; } = [];

        public LinkKind Kind => inner.Kind;

        public BackendAvailability CheckAvailability() => inner.CheckAvailability();

        public Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
        {
            Applied.Add(desired.Name);
            return inner.ApplyAsync(current, desired, cancellationToken);
        }

        public Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
        {
            Removed.Add(current.Name);
            return inner.RemoveAsync(current, cancellationToken);
        }

        public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => inner.ReleaseAsync(current, cancellationToken);

        public Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken) => inner.ObserveAsync(applied, cancellationToken);
    }
}
