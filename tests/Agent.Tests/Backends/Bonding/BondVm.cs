using System.Diagnostics;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging.Abstractions;
using static Fleet.Agent.Tests.Backends.Bonding.BondVm;

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>What the bonding tests in the kernel VM share: waiting for a state, describing it, events.</summary>
internal static class BondVm
{
    public static Fleet.Agent.Backends.ApplyResult Ok => Fleet.Agent.Backends.ApplyResult.Ok;

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Observes until <paramref name="condition"/> holds. The kernel reacts within miimon (100 ms); the generous default
    /// only absorbs how slowly an observation (several processes) runs in an emulated guest on a loaded machine.
    /// </summary>
    public static async Task<BondObservation> WaitForAsync(BondBackend backend, LinkSpec spec, Func<BondObservation, bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        for (var observations = 1; ; observations++)
        {
            var observation = await backend.ObserveBondAsync(spec, Token);
            if (condition(observation))
            {
                return observation;
            }

            Assert.True(
                clock.Elapsed < limit,
                $"timed out after {clock.Elapsed.TotalSeconds:0} s ({observations} observations) waiting until {what}: {Describe(observation)}");
            await Task.Delay(500, Token);
        }
    }

    /// <summary>Everything observed about a bond, for failure messages.</summary>
    public static string Describe(BondObservation o) =>
        $"{(o.Link.Exists ? "" : "NO BOND; ")}mode {o.Info?.Mode ?? "?"}, active {o.ActiveMember ?? "none"}, members: "
        + string.Join(" | ", o.Members.Select(m => $"{m.Interface} {m.Health}{(m.Enslaved ? "" : " not enslaved")} {m.State}: {m.Detail}"))
        + $"; drift: {o.Link.Drift ?? "none"}";

    public static void AssertEvent(IReadOnlyList<LinkEvent> events, AgentEventKind kind, string member) =>
        Assert.True(
            events.Any(e => e.Kind == kind && e.Member == member),
            $"no {kind} event for {member}; events: {(events.Count == 0 ? "none" : string.Join(" | ", events.Select(e => $"{e.Kind} {e.Member}: {e.Message}")))}");
}

/// <summary>Namespaces A and B joined by veths a1–b1 and a2–b2, with a bond backend in each.</summary>
internal sealed class BondPair : IAsyncDisposable
{
    private BondPair(TestNetwork network, string a, string b)
    {
        Network = network;
        NsA = a;
        NsB = b;
        var features = new KernelFeatures();
        A = new BondBackend(network.Context(a), features, TimeProvider.System, NullLogger<BondBackend>.Instance);
        B = new BondBackend(network.Context(b), features, TimeProvider.System, NullLogger<BondBackend>.Instance);
    }

    public TestNetwork Network { get; }

    public string NsA { get; }

    public string NsB { get; }

    public BondBackend A { get; }

    public BondBackend B { get; }

    public static async Task<BondPair> CreateAsync(string kind)
    {
        var network = TestNetwork.Create(kind);
        try
        {
            var a = await network.AddNamespaceAsync("a");
            var b = await network.AddNamespaceAsync("b");
            await network.AddVethAsync(a, "a1", b, "b1");
            await network.AddVethAsync(a, "a2", b, "b2");
            return new BondPair(network, a, b);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    public LinkSpec Spec(string side, BondMode mode, string address, bool backupSecond = false) => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members =
        [
            new MemberSpec { Interface = side + "1" },
            new MemberSpec { Interface = side + "2", AdminState = backupSecond ? MemberAdminState.Backup : MemberAdminState.Active },
        ],
        Addresses = [address],
        Bond = new BondOptions { Mode = mode, MiimonMs = 100 },
    };

    /// <summary>Pings from A to B and fails, showing both ends' bond state, unless every packet is answered.</summary>
    public Task AssertNoPingLossAsync(string target, LinkSpec a, LinkSpec b) =>
        Network.AssertNoPingLossAsync(NsA, target, async () =>
            $"A: {Describe(await A.ObserveBondAsync(a, Token))}; B: {Describe(await B.ObserveBondAsync(b, Token))}");

    public async Task RemoveBothAsync(LinkSpec a, LinkSpec b)
    {
        Assert.Equal(Ok, await A.RemoveAsync(a, Token));
        Assert.Equal(Ok, await B.RemoveAsync(b, Token));
        await AssertNoBondLeftAsync(NsA, "a1", "a2");
        await AssertNoBondLeftAsync(NsB, "b1", "b2");

        // Removing twice is harmless.
        Assert.Equal(Ok, await A.RemoveAsync(a, Token));
    }

    /// <summary>No bond device is left in <paramref name="ns"/>; the members are free and up again.</summary>
    public async Task AssertNoBondLeftAsync(string ns, params string[] members)
    {
        var links = IpLink.ParseList((await Network.InAsync(ns, "ip", "-d", "-j", "link", "show")).StandardOutput);
        var left = string.Join(", ", links.Select(l => $"{l.Name} ({l.Kind ?? "-"}{(l.Master is null ? "" : $", master {l.Master}")}, {(l.IsUp ? "up" : "down")})"));
        Assert.False(links.Any(l => l.Kind == "bond"), $"a bond is left in {ns}: {left}");
        foreach (var member in members)
        {
            var link = links.Single(l => l.Name == member);
            Assert.True(link.Master is null && link.IsUp, $"{member} is free and up after release: {left}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        A.Dispose();
        B.Dispose();
        await Network.DisposeAsync();
    }
}
