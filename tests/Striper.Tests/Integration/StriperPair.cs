using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// A striper link between A and B of a <see cref="NamespaceTopology"/>: two engines running in this process, their
/// TUN devices and sockets created inside the namespaces. A knows B's endpoints; B only listens and learns A's
/// addresses from authenticated packets. Tunnel addresses 10.99.0.1 (A) and 10.99.0.2 (B).
/// </summary>
internal sealed class StriperPair : IDisposable
{
    public const string TunnelA = "10.99.0.1";
    public const string TunnelB = "10.99.0.2";
    public const int Port = 7000;

    private StriperPair(NamespaceTopology topology, StriperEngine a, StriperEngine b, LinkSpec specA, LinkSpec specB, TestOutputLogger logB)
    {
        LogB = logB;
        Topology = topology;
        EngineA = a;
        EngineB = b;
        SpecA = specA;
        SpecB = specB;
    }

    public NamespaceTopology Topology { get; }

    public StriperEngine EngineA { get; }

    public StriperEngine EngineB { get; }

    public LinkSpec SpecA { get; private set; }

    public LinkSpec SpecB { get; private set; }

    /// <summary>What engine B logged.</summary>
    public TestOutputLogger LogB { get; }

    /// <summary>The tiers and classes in force on A; B runs the same with its member names (b0, b1, …).</summary>
    public StriperPolicy Policy { get; private set; } = StriperPolicy.None;

    private StriperPolicy PolicyB { get; set; } = StriperPolicy.None;

    public static async Task<StriperPair> StartAsync(NamespaceTopology topology, StripeSchedulerKind scheduler = StripeSchedulerKind.RoundRobin, Action<List<MemberSpec>, List<MemberSpec>>? adjust = null, bool offloadsB = true, StriperPolicy? policy = null, TimeSpan? mtuProbeInterval = null)
    {
        var probeInterval = mtuProbeInterval ?? StriperEngineOptions.DefaultMtuProbeInterval;
        policy ??= StriperPolicy.None;
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var membersA = new List<MemberSpec>();
        var membersB = new List<MemberSpec>();
        for (var i = 0; i < topology.Paths; i++)
        {
            membersA.Add(new MemberSpec { Interface = $"a{i}", Address = NamespaceTopology.AddressA(i), Peer = $"{NamespaceTopology.AddressB(i)}:{Port}" });
            membersB.Add(new MemberSpec { Interface = $"b{i}", Address = NamespaceTopology.AddressB(i), LocalPort = Port });
        }

        adjust?.Invoke(membersA, membersB);
        var specA = Spec(membersA, key, scheduler, TunnelA);
        var specB = Spec(membersB, key, scheduler, TunnelB);
        var logB = new TestOutputLogger("B");
        var b = StriperEngine.Start(With(specB, ForB(policy)), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.B), UseOffloads = offloadsB, MtuProbeInterval = probeInterval }, logB);
        StriperEngine? a = null;
        try
        {
            a = StriperEngine.Start(With(specA, policy), new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.A), MtuProbeInterval = probeInterval }, new TestOutputLogger("A"));
            await ProcessRunner.CheckedAsync("ip", "-n", topology.A, "addr", "add", $"{TunnelA}/30", "dev", a.DeviceName);
            await ProcessRunner.CheckedAsync("ip", "-n", topology.B, "addr", "add", $"{TunnelB}/30", "dev", b.DeviceName);
            var pair = new StriperPair(topology, a, b, specA, specB, logB) { Policy = policy, PolicyB = ForB(policy) };
            await pair.WaitUntilAllPathsUsableAsync(TimeSpan.FromSeconds(10));
            return pair;
        }
        catch
        {
            a?.Dispose();
            b.Dispose();
            throw;
        }
    }

    /// <summary>Puts <paramref name="policy"/> in force on both ends, live (B with its member names).</summary>
    public void Apply(StriperPolicy policy)
    {
        Policy = policy;
        PolicyB = ForB(policy);
        EngineA.Update(With(SpecA, Policy));
        EngineB.Update(With(SpecB, PolicyB));
    }

    /// <summary><paramref name="policy"/> with A's member names (a0, a1, …) changed to B's (b0, b1, …).</summary>
    public static StriperPolicy ForB(StriperPolicy policy) => policy with
    {
        Classes = policy.Classes.Select(c => c with
        {
            Members = c.Members.Select(ToB).ToArray(),
            Pin = c.Pin is { Member: { } member } pin ? pin with { Member = ToB(member) } : c.Pin,
        }).ToArray(),
    };

    /// <summary><paramref name="spec"/> carrying <paramref name="policy"/>'s tiers (<c>members[i].tier</c>) and classes (<c>striper.classes</c>).</summary>
    public static LinkSpec With(LinkSpec spec, StriperPolicy policy) => spec with
    {
        Members = spec.Members.Select((m, i) => m with { Tier = i < policy.Tiers.Count ? policy.Tiers[i] : null }).ToArray(),
        Striper = spec.Striper! with { Classes = policy.Classes },
    };

    private static string ToB(string member) => member.StartsWith('a') ? "b" + member[1..] : member;

    /// <summary>Waits until both engines have a session and every non-disabled path is up on both sides.</summary>
    public async Task WaitUntilAllPathsUsableAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var a = EngineA.GetSnapshot();
            var b = EngineB.GetSnapshot();
            if (a.SessionEstablished && b.SessionEstablished
                && a.Paths.All(p => p.AdminState == MemberAdminState.Disabled || p.Health == MemberHealth.Up)
                && b.Paths.All(p => p.AdminState == MemberAdminState.Disabled || p.Health == MemberHealth.Up))
            {
                return;
            }

            await Task.Delay(20);
        }

        var sa = EngineA.GetSnapshot();
        var sb = EngineB.GetSnapshot();
        throw new TimeoutException($"paths not up: A session={sa.SessionEstablished} [{string.Join(", ", sa.Paths.Select(p => $"{p.Interface} {p.Health} {p.HealthReason}"))}], " +
            $"B session={sb.SessionEstablished} [{string.Join(", ", sb.Paths.Select(p => $"{p.Interface} {p.Health} {p.HealthReason}"))}]");
    }

    /// <summary>Applies a change to both ends' specs live (the policy in force stays).</summary>
    public void Update(Func<LinkSpec, LinkSpec> change)
    {
        SpecA = change(SpecA);
        SpecB = change(SpecB);
        EngineA.Update(With(SpecA, Policy));
        EngineB.Update(With(SpecB, PolicyB));
    }

    public void Dispose()
    {
        EngineA.Dispose();
        EngineB.Dispose();
    }

    public static LinkSpec WithScheduler(LinkSpec spec, StripeSchedulerKind kind, IReadOnlyDictionary<string, double>? parameters = null) =>
        spec with { Striper = spec.Striper! with { Scheduler = kind, SchedulerParameters = parameters ?? new Dictionary<string, double>() } };

    public static LinkSpec WithMember(LinkSpec spec, int index, Func<MemberSpec, MemberSpec> change) =>
        spec with { Members = spec.Members.Select((m, i) => i == index ? change(m) : m).ToArray() };

    internal static LinkSpec Spec(List<MemberSpec> members, string key, StripeSchedulerKind scheduler, string address) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = members.ToArray(),
        Addresses = [$"{address}/30"],
        Striper = new StriperOptions { Key = key, Scheduler = scheduler },
    };
}
