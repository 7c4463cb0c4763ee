using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Striper;

/// <summary>
/// The striper backend for real: two namespaces joined by two veth pairs, a backend in each (each hosting its engine
/// inside its namespace), traffic through the TUN devices they create.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class StriperBackendTests(ITestOutputHelper output)
{
    private const int Port = 7100;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LinkSpec Spec(string side, string key, int? mtu = null) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = side == "a"
            ? [
                new MemberSpec { Interface = "a0", Address = "10.61.0.1", Peer = $"10.61.0.2:{Port}" },
                new MemberSpec { Interface = "a1", Address = "10.61.1.1", Peer = $"10.61.1.2:{Port}" },
            ]
            : [
                new MemberSpec { Interface = "b0", Address = "10.61.0.2", LocalPort = Port },
                new MemberSpec { Interface = "b1", Address = "10.61.1.2", LocalPort = Port },
            ],
        Addresses = [side == "a" ? "10.62.0.1/30" : "10.62.0.2/30"],
        Routes = side == "a" ? [new RouteSpec { Destination = "10.63.0.0/24", Via = "10.62.0.2" }] : [],
        Mtu = mtu,
        Striper = new StriperOptions { Key = key, Scheduler = StripeSchedulerKind.RoundRobin },
    };

    private static async Task<(TestNetwork Network, string A, string B)> TopologyAsync()
    {
        var network = TestNetwork.Create("sr");
        var a = await network.AddNamespaceAsync("a");
        var b = await network.AddNamespaceAsync("b");
        for (var i = 0; i < 2; i++)
        {
            await network.AddVethAsync(a, $"a{i}", b, $"b{i}");
            await network.AddAddressAsync(a, $"a{i}", $"10.61.{i}.1/24");
            await network.AddAddressAsync(b, $"b{i}", $"10.61.{i}.2/24");
        }

        // Something behind B for A's route through the tunnel to reach.
        await network.AddAddressAsync(b, "lo", "10.63.0.1/32");
        return (network, a, b);
    }

    private static async Task<LinkObservation> ObserveUntilUpAsync(StriperBackend backend, LinkSpec spec)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        LinkObservation observation;
        do
        {
            await Task.Delay(100, Token);
            observation = await backend.ObserveAsync(spec, Token);
        }
        while (DateTime.UtcNow < deadline && !observation.Members.All(m => m.Health == MemberHealth.Up || spec.Members.Single(s => s.Interface == m.Interface).AdminState == MemberAdminState.Disabled));

        return observation;
    }

    [Fact(Timeout = 120_000)]
    public async Task Apply_LiveChanges_Restart_Remove_FullLifecycle()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var (network, a, b) = await TopologyAsync();
        await using var _ = network;
        using var backendA = new StriperBackend(network.Context(a), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        using var backendB = new StriperBackend(network.Context(b), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var specA = Spec("a", key);
        var specB = Spec("b", key);
        Assert.Empty(LinkSpecValidator.Validate(specA));
        Assert.Empty(LinkSpecValidator.Validate(specB));
        Assert.True(backendA.CheckAvailability().Available);

        // Create: device, addresses, routes; traffic flows over the route through the tunnel.
        Assert.True((await backendB.ApplyAsync(null, specB, Token)).Succeeded);
        var applied = await backendA.ApplyAsync(null, specA, Token);
        Assert.True(applied.Succeeded, applied.Error);
        var addresses = await network.InAsync(a, "ip", "-j", "addr", "show", "dev", "str0");
        Assert.Contains("\"local\":\"10.62.0.1\"", addresses.StandardOutput, StringComparison.Ordinal);
        var route = await network.InAsync(a, "ip", "route", "show", "10.63.0.0/24");
        Assert.Contains("via 10.62.0.2 dev str0", route.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, await network.PingLossAsync(a, "10.63.0.1", count: 5));

        var observed = await ObserveUntilUpAsync(backendA, specA);
        output.WriteLine(string.Join("\n", observed.Members.Select(m => $"{m.Interface} {m.Health} rtt {m.RttMs} {m.Detail} {m.Counters}")));
        Assert.True(observed.Exists);
        Assert.Null(observed.Drift);
        Assert.All(observed.Members, m =>
        {
            Assert.Equal(MemberHealth.Up, m.Health);
            Assert.True(m.Counters.TxPackets > 0 && m.Counters.RxPackets > 0, m.Counters.ToString());
            Assert.NotNull(m.RttMs);
        });

        // The engine's own measurements reach the observation: its threads' CPU share (once a window of 1 s passed)
        // each path's MTU probes (once 3 rounds of 2 s settled), with nothing black-holed between veths, and its probe jitter.
        var measured = observed;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && !measured.Members.All(m => m.CpuPercent is not null && m.LargeProbeLossPercent is not null);)
        {
            await Task.Delay(100, Token);
            measured = await backendA.ObserveAsync(specA, Token);
        }

        Assert.All(measured.Members, m =>
        {
            Assert.InRange(m.CpuPercent ?? -1, 0, 100);
            Assert.InRange(m.JitterMs ?? -1, 0, 1000);
            Assert.Equal((0.0, 0.0), (m.LargeProbeLossPercent, m.SmallProbeLossPercent));
        });

        // Applying the same spec again changes nothing: same engine, same session.
        var engine = backendA.EngineFor("str0");
        Assert.NotNull(engine);
        Assert.True((await backendA.ApplyAsync(specA, specA, Token)).Succeeded);
        Assert.Same(engine, backendA.EngineFor("str0"));

        // Live: scheduler, weights, a member disabled. Same engine, same session, no new handshake.
        var live = StriperSpecs(specA, StripeSchedulerKind.Weighted, m => m.Interface == "a1" ? m with { AdminState = MemberAdminState.Disabled, Weight = 2 } : m with { Weight = 1 });
        Assert.True((await backendA.ApplyAsync(specA, live, Token)).Succeeded);
        Assert.Same(engine, backendA.EngineFor("str0"));
        var snapshot = engine!.GetSnapshot();
        Assert.Equal(1, snapshot.Sessions);
        Assert.Equal(StripeSchedulerKind.Weighted, snapshot.Scheduler);
        Assert.Equal(0, await network.PingLossAsync(a, "10.63.0.1", count: 5));
        var withoutClasses = await backendA.ObserveAsync(live, Token);
        Assert.Empty(withoutClasses.Classes);
        var disabled = withoutClasses.Members.Single(m => m.Interface == "a1");
        Assert.Equal(MemberHealth.Unknown, disabled.Health);
        Assert.Contains("disabled", disabled.Detail, StringComparison.Ordinal);
        Assert.Contains("not carrying traffic", disabled.Detail, StringComparison.Ordinal);

        // Live: a tier and a traffic class from the spec (docs/striper-protocol.md, "Traffic classes"), in force in the
        // same engine: the pings go through the class.
        var classed = live with
        {
            Members = live.Members.Select(m => m.Interface == "a0" ? m with { Tier = LinkTier.Primary } : m).ToArray(),
            Striper = live.Striper! with { Classes = [new TrafficClassSpec { Name = "ping", Match = new() { Protocol = "icmp" }, Action = TrafficAction.Pin }] },
        };
        Assert.True((await backendA.ApplyAsync(live, classed, Token)).Succeeded);
        Assert.Same(engine, backendA.EngineFor("str0"));
        Assert.Equal(0, await network.PingLossAsync(a, "10.63.0.1", count: 5));
        var classes = engine.GetSnapshot().Classes;
        Assert.Equal(["default", "ping"], classes.Select(c => c.Name));
        Assert.True(classes[1].TxPackets >= 5, $"ping class sent {classes[1].TxPackets} packets");
        Assert.Equal(LinkTier.Primary, engine.GetSnapshot().Paths.Single(p => p.Interface == "a0").Tier);

        // The backend's observation carries the classes' counters and the members' tier and idle reason to the
        // agent's samples (issue 13).
        var classObservation = await backendA.ObserveAsync(classed, Token);
        Assert.Equal(["default", "ping"], classObservation.Classes.Select(c => c.Name));
        Assert.Equal("pin", classObservation.Classes[1].Action);
        Assert.True(classObservation.Classes[1].Counters.TxPackets >= 5, $"ping class classObservation {classObservation.Classes[1].Counters.TxPackets} packets");
        Assert.NotNull(classObservation.Classes[1].PinnedMember);
        Assert.Equal((LinkTier.Primary, (string?)null), (classObservation.Members.Single(m => m.Interface == "a0").Tier, classObservation.Members.Single(m => m.Interface == "a0").IdleReason));
        Assert.Equal("disabled", classObservation.Members.Single(m => m.Interface == "a1").IdleReason);

        // A change the engine cannot take live (the MTU) restarts it; the link works again after a new handshake.
        var restarted = classed with { Mtu = 1300 };
        Assert.True((await backendA.ApplyAsync(classed, restarted, Token)).Succeeded);
        Assert.NotSame(engine, backendA.EngineFor("str0"));
        var link = await network.InAsync(a, "ip", "-j", "link", "show", "dev", "str0");
        Assert.Equal(1300, JsonDocument.Parse(link.StandardOutput).RootElement[0].GetProperty("mtu").GetInt32());
        Assert.All((await ObserveUntilUpAsync(backendA, restarted)).Members.Where(m => m.Interface == "a0"), m => Assert.Equal(MemberHealth.Up, m.Health));
        Assert.Equal(0, await network.PingLossAsync(a, "10.63.0.1", count: 5));

        // Remove: the device (with its addresses and routes) is gone; removing again is fine.
        Assert.True((await backendA.RemoveAsync(restarted, Token)).Succeeded);
        var gone = await network.Runner.RunAsync("ip", ["-n", a, "link", "show", "dev", "str0"], cancellationToken: Token);
        Assert.False(gone.Succeeded);
        Assert.False((await backendA.ObserveAsync(restarted, Token)).Exists);
        Assert.True((await backendA.RemoveAsync(restarted, Token)).Succeeded);
        Assert.True((await backendB.RemoveAsync(specB, Token)).Succeeded);
    }

    [Fact(Timeout = 60_000)]
    public async Task Apply_MemberInterfaceMissing_FailedWithKernelReasonAndNothingLeftBehind()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var (network, a, _) = await TopologyAsync();
        await using var disposeNetwork = network;
        using var backend = new StriperBackend(network.Context(a), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        var spec = Spec("a", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))) with
        {
            Members = [new MemberSpec { Interface = "nope0", Peer = $"10.61.0.2:{Port}" }],
        };

        var result = await backend.ApplyAsync(null, spec, Token);

        Assert.False(result.Succeeded);
        Assert.Contains("nope0", result.Error, StringComparison.Ordinal);
        Assert.Null(backend.EngineFor("str0"));
        Assert.False((await network.Runner.RunAsync("ip", ["-n", a, "link", "show", "dev", "str0"], cancellationToken: Token)).Succeeded);
    }

    private static LinkSpec StriperSpecs(LinkSpec spec, StripeSchedulerKind scheduler, Func<MemberSpec, MemberSpec> member) => spec with
    {
        Members = spec.Members.Select(member).ToArray(),
        Striper = spec.Striper! with { Scheduler = scheduler },
    };
}
