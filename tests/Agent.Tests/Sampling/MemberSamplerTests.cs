using Fleet.Agent.Backends;
using Fleet.Agent.Events;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Sampling;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Sampling;

public sealed class MemberSamplerTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000301");
    private readonly FakeTimeProvider _time = new();
    private readonly AgentEventLog _events;
    private readonly MemberSampler _sampler;
    private readonly LinkSpec _spec = Specs.Bond(mode: BondMode.BalanceRoundRobin);
    private bool _observedOnce;

    public MemberSamplerTests()
    {
        _events = new AgentEventLog(_time);
        _sampler = new MemberSampler(_events);
    }

    private ObservedLink Observe(MemberHealth eth0, ulong eth0Tx, MemberHealth eth1 = MemberHealth.Up, ulong eth1Tx = 0, LinkSpec? spec = null) =>
        new(s_link, spec ?? _spec, new LinkObservation(true,
        [
            new MemberObservation { Interface = "eth0", Health = eth0, Counters = new MemberCounters(eth0Tx, eth0Tx / 2, eth0Tx / 1000, 10, 1, 2, 0), RttMs = 12.5 },
            new MemberObservation { Interface = "eth1", Health = eth1, Counters = new MemberCounters(eth1Tx, 0, 0, 0, 0, 0, 0) },
        ]));

    /// <summary>
    /// Every counter of the catalogue comes from the backend's observation into the sample: deltas of the running
    /// counters, the rest as observed. A counter added to the catalogue but not observed or not sampled fails here.
    /// </summary>
    [Fact]
    public void Sample_EveryCatalogueCounter_IsCarriedFromTheObservation()
    {
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observed(running: 1_000)]);

        var sample = Assert.Single(_sampler.Sample(t0.AddMilliseconds(2000), [Observed(running: 1_000)]));

        Assert.All(MemberCounterCatalog.All, c => Assert.True(c.Value(sample) == CounterSamples.Expected(c.Counter), $"{c.Name} is {c.Value(sample)}"));
    }

    /// <summary>
    /// One member observed with every counter of the catalogue: running counters at <paramref name="running"/> plus (on
    /// the second call) the catalogue's expected delta, the other kinds at their expected values.
    /// </summary>
    private ObservedLink Observed(ulong running)
    {
        var second = _observedOnce;
        _observedOnce = true;
        var constructor = typeof(MemberCounters).GetConstructors().Single(c => c.GetParameters().Length > 0);
        var arguments = constructor.GetParameters().Select(p => (object)(running + (second
            ? (ulong)CounterSamples.Expected(MemberCounterCatalog.All.Single(c => string.Equals(c.Name, p.Name, StringComparison.OrdinalIgnoreCase)).Counter)
            : 0))).ToArray();
        Assert.All(MemberCounterCatalog.All.Where(c => c.Kind == CounterKind.Delta), c =>
            Assert.Contains(constructor.GetParameters(), p => string.Equals(p.Name, c.Name, StringComparison.OrdinalIgnoreCase)));
        object member = new MemberObservation { Interface = "eth0", Health = MemberHealth.Unknown, Counters = (MemberCounters)constructor.Invoke(arguments) };
        foreach (var counter in MemberCounterCatalog.All.Where(c => c.Kind != CounterKind.Delta))
        {
            var property = CounterSamples.Property<MemberObservation>(counter.Name);
            Assert.True(property is not null, $"the backends' observation has no {counter.Name}");
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var value = CounterSamples.Expected(counter.Counter);
            property.SetValue(member, type.IsEnum ? Enum.ToObject(type, (long)value) : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
        }

        return new(s_link, _spec, new LinkObservation(true, [(MemberObservation)member]));
    }

    [Fact]
    public void Sample_FirstObservation_GivesNoSample()
    {
        var samples = _sampler.Sample(_time.GetUtcNow(), [Observe(MemberHealth.Up, 1000)]);

        Assert.Empty(samples);
    }

    [Fact]
    public void Sample_SecondObservation_GivesDeltasOverTheInterval()
    {
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observe(MemberHealth.Up, 10_000, eth1Tx: 500)]);

        var samples = _sampler.Sample(t0.AddMilliseconds(1000), [Observe(MemberHealth.Up, 25_000, eth1Tx: 800)]);

        Assert.Equal(2, samples.Count);
        var eth0 = samples[0];
        Assert.Equal("eth0", eth0.Member);
        Assert.Equal(s_link, eth0.LinkId);
        Assert.Equal(15_000, eth0.TxBytes);
        Assert.Equal(7_500, eth0.RxBytes);
        Assert.Equal(15, eth0.TxPackets);
        Assert.Equal(0, eth0.RxPackets);
        Assert.Equal(1000, eth0.IntervalMs);
        Assert.Equal(t0.AddMilliseconds(1000), eth0.Time);
        Assert.Equal(12.5, eth0.RttMs);
        Assert.Equal(300, samples[1].TxBytes);
    }

    [Fact]
    public void Delta_CounterReset_CountsFromZero()
    {
        Assert.Equal(40, MemberSampler.Delta(40, 1_000_000));
        Assert.Equal(5, MemberSampler.Delta(15, 10));
        Assert.Equal(0, MemberSampler.Delta(10, 10));
    }

    [Fact]
    public void Sample_MemberGoesDownAndUp_EmitsEventsAndFailover()
    {
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observe(MemberHealth.Up, 1)]);
        _sampler.Sample(t0.AddSeconds(1), [Observe(MemberHealth.Down, 2)]);
        _sampler.Sample(t0.AddSeconds(2), [Observe(MemberHealth.Up, 3)]);

        var events = _events.Drain();

        Assert.Contains(events, e => e.Kind == AgentEventKind.MemberDown && e.Member == "eth0" && e.LinkId == s_link);
        Assert.Contains(events, e => e.Kind == AgentEventKind.Failover && e.Message.Contains("moved off eth0", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == AgentEventKind.MemberUp && e.Member == "eth0");
    }

    [Fact]
    public void Sample_AllActiveDown_FailsOverToBackup()
    {
        var spec = _spec with { Members = [new MemberSpec { Interface = "eth0" }, new MemberSpec { Interface = "eth1", AdminState = MemberAdminState.Backup }] };
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observe(MemberHealth.Up, 1, spec: spec)]);

        _sampler.Sample(t0.AddSeconds(1), [Observe(MemberHealth.Down, 1, spec: spec)]);

        var failover = Assert.Single(_events.Drain(), e => e.Kind == AgentEventKind.Failover);
        Assert.Equal("bond0: traffic moved off eth0; now on eth1", failover.Message);
    }

    [Fact]
    public void Sample_SpecChange_IsNotAFailover()
    {
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observe(MemberHealth.Up, 1)]);
        var changed = _spec with { Members = [new MemberSpec { Interface = "eth1" }] };

        _sampler.Sample(t0.AddSeconds(1), [new ObservedLink(s_link, changed, new LinkObservation(true, [new MemberObservation { Interface = "eth1", Health = MemberHealth.Up }]))]);

        Assert.DoesNotContain(_events.Drain(), e => e.Kind == AgentEventKind.Failover);
    }

    [Fact]
    public void Sample_LinkGone_ForgetsItsMembers()
    {
        var t0 = _time.GetUtcNow();
        _sampler.Sample(t0, [Observe(MemberHealth.Up, 1)]);
        _sampler.Sample(t0.AddSeconds(1), []);

        var samples = _sampler.Sample(t0.AddSeconds(2), [Observe(MemberHealth.Up, 5)]);

        Assert.Empty(samples);
        Assert.Equal(2, _sampler.Health.Count);
    }
}
