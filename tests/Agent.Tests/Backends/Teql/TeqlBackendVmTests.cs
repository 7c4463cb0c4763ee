using System.Diagnostics;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Teql;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Teql;

/// <summary>
/// teql for real inside the Debian kernel booted under qemu: an equalizer over two veth paths between two namespaces,
/// each end driven by its own backend; a path that fails silently (its link stays up) is found by the probes and
/// taken out of the equalizer, and put back when it recovers.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class TeqlBackendVmTests
{
    [KernelVmGuestFact]
    public async Task Apply_TeqlOverTwoPaths_RemovesSilentlyDeadMemberAndRestoresIt()
    {
        Privileged.Require("network namespaces and teql in the kernel VM");
        await using var network = TestNetwork.Create("tq");
        var nsA = await network.AddNamespaceAsync("a");
        var nsB = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(nsA, "a1", nsB, "b1");
        await network.AddVethAsync(nsA, "a2", nsB, "b2");

        // As in the classic teql set-up, each path has its own small subnet; the equalizer carries another one.
        await network.AddAddressAsync(nsA, "a1", "10.62.1.1/24");
        await network.AddAddressAsync(nsB, "b1", "10.62.1.2/24");
        await network.AddAddressAsync(nsA, "a2", "10.62.2.1/24");
        await network.AddAddressAsync(nsB, "b2", "10.62.2.2/24");

        var features = new KernelFeatures();
        await using var backendA = new TeqlBackend(network.Context(nsA), features, TimeProvider.System, NullLogger<TeqlBackend>.Instance);
        await using var backendB = new TeqlBackend(network.Context(nsB), features, TimeProvider.System, NullLogger<TeqlBackend>.Instance);
        var a = Spec("teql1", "a", "10.69.0.1/24", "10.62.1.2", "10.62.2.2");
        var b = Spec("teql2", "b", "10.69.0.2/24", "10.62.1.1", "10.62.2.1");
        Assert.Empty(LinkSpecValidator.Validate(a));

        Assert.Equal(ApplyResult.Ok, await backendA.ApplyAsync(null, a, Token));
        Assert.Equal(ApplyResult.Ok, await backendB.ApplyAsync(null, b, Token));
        var healthy = await WaitForAsync(backendA, a, o => o.Members.All(m => m.Health == MemberHealth.Up && m.Carrying), "both members answer probes");
        await WaitForAsync(backendB, b, o => o.Members.All(m => m.Health == MemberHealth.Up && m.Carrying), "both of B's members answer probes");
        Assert.True(healthy.DeviceUp && healthy.Link.Drift is null, $"teql1 up without drift: {Describe(healthy)}");
        Assert.True(healthy.Members.All(m => m.RttMs is not null), $"every member has a probe RTT: {Describe(healthy)}");
        var qdiscs = TcQdisc.ParseList((await network.InAsync(nsA, "tc", "-j", "qdisc", "show")).StandardOutput);
        var teqlRoots = qdiscs.Where(q => q.IsRoot && q.Kind == "teql1").Select(q => q.Device).Order().ToList();
        Assert.True(teqlRoots.SequenceEqual(["a1", "a2"]), $"teql1 is the root qdisc of a1 and a2: {string.Join(", ", qdiscs.Select(q => $"{q.Device} {q.Kind}{(q.IsRoot ? " root" : "")}"))}");
        Func<Task<string>> state = async () =>
            $"A: {Describe(await backendA.ObserveTeqlAsync(a, Token))}; B: {Describe(await backendB.ObserveTeqlAsync(b, Token))}";
        await network.AssertNoPingLossAsync(nsA, "10.69.0.2", state);

        var before = await backendA.ObserveTeqlAsync(a, Token);
        await network.AssertNoPingLossAsync(nsA, "10.69.0.2", state, count: 20, interval: "0.05");
        var after = await backendA.ObserveTeqlAsync(a, Token);
        Assert.All(["a1", "a2"], m => Assert.True(
            after.Member(m).Counters.TxPackets - before.Member(m).Counters.TxPackets >= 5,
            $"teql sends over {m} too ({before.Member(m).Counters.TxPackets} -> {after.Member(m).Counters.TxPackets})"));

        // Path 2 dies silently: B's side drops everything it sends on b2, while both links stay up.
        await network.InAsync(nsB, "tc", "qdisc", "add", "dev", "b2", "root", "netem", "loss", "100%");
        // a1 must be up and carrying at the same moment a2 is out (a probe lost to load may briefly degrade a1).
        var failed = await WaitForAsync(
            backendA,
            a,
            o => o.Member("a2").Health == MemberHealth.Down && !o.Member("a2").Carrying && o.Member("a1").Health == MemberHealth.Up && o.Member("a1").Carrying,
            "a2 is taken out while a1 carries");
        Assert.True(failed.Member("a2").ConsecutiveFailures >= 2, $"a2 went down after at least 2 failed probes: {Describe(failed)}");
        await WaitForAsync(backendB, b, o => !o.Member("b2").Carrying && o.Member("b1").Carrying, "b2 is taken out on B's side too");
        await network.AssertNoPingLossAsync(nsA, "10.69.0.2", state);
        AssertEvent(backendA.TakeEvents(a), AgentEventKind.MemberDown, "a2");

        // The path recovers: the probes bring the member back into the equalizer.
        await network.InAsync(nsB, "tc", "qdisc", "del", "dev", "b2", "root");
        var restored = await WaitForAsync(backendA, a, o => o.Member("a2").Health == MemberHealth.Up && o.Member("a2").Carrying, "a2 is back");
        Assert.True(restored.Link.Drift is null, $"no drift once a2 is back: {Describe(restored)}");
        await WaitForAsync(backendB, b, o => o.Member("b2").Carrying, "b2 is back on B's side");
        await network.AssertNoPingLossAsync(nsA, "10.69.0.2", state);
        AssertEvent(backendA.TakeEvents(a), AgentEventKind.MemberUp, "a2");

        // Teardown: the qdiscs are gone, the teql devices left the namespaces for the initial one, the members stay up.
        Assert.Equal(ApplyResult.Ok, await backendA.RemoveAsync(a, Token));
        Assert.Equal(ApplyResult.Ok, await backendB.RemoveAsync(b, Token));
        foreach (var (ns, members) in new[] { (nsA, new[] { "a1", "a2" }), (nsB, ["b1", "b2"]) })
        {
            var roots = TcQdisc.ParseList((await network.InAsync(ns, "tc", "-j", "qdisc", "show")).StandardOutput);
            Assert.False(roots.Any(q => q.Kind.StartsWith("teql", StringComparison.Ordinal)), $"a teql qdisc is left in {ns}: {string.Join(", ", roots.Select(q => $"{q.Device} {q.Kind}"))}");
            var links = IpLink.ParseList((await network.InAsync(ns, "ip", "-j", "link", "show")).StandardOutput);
            var left = string.Join(", ", links.Select(l => $"{l.Name} {(l.IsUp ? "up" : "down")}"));
            Assert.False(links.Any(l => l.Name.StartsWith("teql", StringComparison.Ordinal)), $"a teql device is left in {ns}: {left}");
            Assert.All(members, m => Assert.True(links.Single(l => l.Name == m).IsUp, $"{m} is up after removal: {left}"));
        }

        var initial = IpLink.ParseList((await network.MustAsync("ip", "-j", "link", "show", "dev", "teql1")).StandardOutput).Single();
        Assert.False(initial.IsUp, "teql1 is back in the initial namespace, down");
    }

    [KernelVmGuestFact]
    public async Task Apply_MemberEnslavedOrMissing_FailsWithoutTouchingTeql()
    {
        Privileged.Require("network namespaces and teql in the kernel VM");
        await using var network = TestNetwork.Create("tf");
        var ns = await network.AddNamespaceAsync("a");
        var peer = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(ns, "a1", peer, "b1");
        await using var backend = new TeqlBackend(network.Context(ns), new KernelFeatures(), TimeProvider.System, NullLogger<TeqlBackend>.Instance);
        var spec = Spec("teql3", "a", "10.69.1.1/24", "10.62.3.2", "10.62.4.2");

        var result = await backend.ApplyAsync(null, spec, Token);

        Assert.Equal(ApplyResult.Failed("member a2 does not exist"), result);
        var links = IpLink.ParseList((await network.InAsync(ns, "ip", "-j", "link", "show")).StandardOutput);
        Assert.False(links.Any(l => l.Name == "teql3"), $"teql3 was not moved into {ns}: {string.Join(", ", links.Select(l => l.Name))}");
        var qdiscs = TcQdisc.ParseList((await network.InAsync(ns, "tc", "-j", "qdisc", "show")).StandardOutput);
        Assert.False(qdiscs.Any(q => q.Kind == "teql3"), $"no teql3 qdisc in {ns}: {string.Join(", ", qdiscs.Select(q => $"{q.Device} {q.Kind}"))}");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LinkSpec Spec(string name, string side, string address, string probe1, string probe2) => new()
    {
        Kind = LinkKind.Teql,
        Name = name,
        Members =
        [
            new MemberSpec { Interface = side + "1", ProbeTarget = probe1 },
            new MemberSpec { Interface = side + "2", ProbeTarget = probe2 },
        ],
        Addresses = [address],
        Teql = new TeqlOptions { ProbeIntervalMs = 1000, DownAfterFailedProbes = 2 },
    };

    private static async Task<TeqlObservation> WaitForAsync(TeqlBackend backend, LinkSpec spec, Func<TeqlObservation, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var observation = await backend.ObserveTeqlAsync(spec, Token);
            if (condition(observation))
            {
                return observation;
            }

            // Probes run every second and two decide; the generous limit only absorbs a slow, loaded emulated guest.
            Assert.True(
                clock.Elapsed < TimeSpan.FromSeconds(90),
                $"timed out after {clock.Elapsed.TotalSeconds:0} s waiting until {what}: {Describe(observation)}");
            await Task.Delay(500, Token);
        }
    }

    /// <summary>Everything observed about a teql link, for failure messages.</summary>
    private static string Describe(TeqlObservation o) =>
        $"{(o.Link.Exists ? "" : "NO DEVICE; ")}device {(o.DeviceUp ? "up" : "down")}, members: "
        + string.Join(" | ", o.Members.Select(m => $"{m.Interface} {m.Health}{(m.Carrying ? " carrying" : " not carrying")}, {m.Probes} probes, {m.ConsecutiveFailures} failed in a row: {m.Detail}"))
        + $"; drift: {o.Link.Drift ?? "none"}";

    private static void AssertEvent(IReadOnlyList<LinkEvent> events, AgentEventKind kind, string member) =>
        Assert.True(
            events.Any(e => e.Kind == kind && e.Member == member),
            $"no {kind} event for {member}; events: {(events.Count == 0 ? "none" : string.Join(" | ", events.Select(e => $"{e.Kind} {e.Member}: {e.Message}")))}");
}
