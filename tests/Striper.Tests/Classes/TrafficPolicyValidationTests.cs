using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Fleet.Striper.Tests.Integration;

namespace Fleet.Striper.Tests.Classes;

/// <summary>The traffic policy's rules in <see cref="LinkSpecValidator"/>: tiers on members, classes in the striper options.</summary>
public sealed class TrafficPolicyValidationTests
{
    private static readonly LinkSpec s_spec = PolicySpecs.Link(3);

    private static Dictionary<string, string> Errors(StriperPolicy policy, LinkSpec? spec = null) =>
        LinkSpecValidator.Validate(StriperPair.With(spec ?? s_spec, policy)).GroupBy(e => e.Path).ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(e => e.Message)));

    private static StriperPolicy Classes(params TrafficClassSpec[] classes) => new() { Classes = classes };

    [Fact]
    public void Validate_GoodPolicyWithEveryAction_NoErrors()
    {
        var policy = new StriperPolicy
        {
            Tiers = [LinkTier.Primary, LinkTier.Primary, LinkTier.Overflow],
            Classes =
            [
                new() { Name = "voice", Match = new() { Protocol = "udp", DestinationPorts = ["5060", "10000-20000"], Dscp = [46] }, Action = TrafficAction.Fec, Fec = new() { MaxDelayMs = 30 } },
                new() { Name = "video", Match = new() { Protocol = "udp", DestinationPrefixes = ["192.0.2.0/24"] }, Action = TrafficAction.Duplicate, Members = ["a0", "a1"] },
                new() { Name = "ssh", Match = new() { Protocol = "tcp", DestinationPorts = ["22"] }, Action = TrafficAction.Pin, Pin = new() { Member = "a1" } },
                new() { Name = "bulk", Match = new() { SourcePrefixes = ["10.0.0.0/8", "2001:db8::/32"] }, Action = TrafficAction.Stripe, Stripe = new() { Scheduler = StripeSchedulerKind.Weighted, SchedulerParameters = new Dictionary<string, double> { ["quantumBytes"] = 9000 } } },
            ],
        };

        Assert.Empty(Errors(policy));
    }

    [Fact]
    public void Validate_InvalidMatchFields_FieldErrors()
    {
        var errors = Errors(Classes(new TrafficClassSpec
        {
            Name = "bad",
            Action = TrafficAction.Pin,
            Match = new()
            {
                Protocol = "sctp",
                SourcePrefixes = ["10.1.0.1/16", "300.0.0.0/8", "10.0.0.0/8", "10.2.0.0/16"],
                DestinationPorts = ["70000", "20-10", "80", "79-81"],
                Dscp = [64, 46, 46],
            },
        }));

        Assert.Contains("not tcp, udp", errors["striper.classes[0].match.protocol"]);
        Assert.Contains("host bits set: the network is 10.1.0.0/16", errors["striper.classes[0].match.sourcePrefixes[0]"]);
        Assert.Contains("not a network", errors["striper.classes[0].match.sourcePrefixes[1]"]);
        Assert.Contains("overlaps another entry of the list (10.0.0.0/8)", errors["striper.classes[0].match.sourcePrefixes[3]"]);
        Assert.Contains("not a port", errors["striper.classes[0].match.destinationPorts[0]"]);
        Assert.Contains("not a port", errors["striper.classes[0].match.destinationPorts[1]"]);
        Assert.Contains("overlaps another entry of the list (80)", errors["striper.classes[0].match.destinationPorts[3]"]);
        Assert.Contains("ports need protocol tcp or udp", errors["striper.classes[0].match.destinationPorts"]);
        Assert.Contains("0–63", errors["striper.classes[0].match.dscp[0]"]);
        Assert.Contains("listed twice", errors["striper.classes[0].match.dscp[2]"]);
    }

    [Fact]
    public void Validate_ClassShadowedByEarlierClass_NeverMatchesError()
    {
        var errors = Errors(Classes(
            new TrafficClassSpec { Name = "rtp", Action = TrafficAction.Pin, Match = new() { Protocol = "udp", DestinationPorts = ["10000-20000"] } },
            new TrafficClassSpec { Name = "all-udp", Action = TrafficAction.Pin, Match = new() { Protocol = "udp" } },
            new TrafficClassSpec { Name = "some-rtp", Action = TrafficAction.Pin, Match = new() { Protocol = "udp", DestinationPorts = ["12000-12100"], Dscp = [46] } },
            new TrafficClassSpec { Name = "office", Action = TrafficAction.Pin, Match = new() { SourcePrefixes = ["10.0.0.0/8"] } },
            new TrafficClassSpec { Name = "office-tcp", Action = TrafficAction.Pin, Match = new() { Protocol = "tcp", SourcePrefixes = ["10.3.0.0/16"] } },
            new TrafficClassSpec { Name = "v6-tcp", Action = TrafficAction.Pin, Match = new() { Protocol = "tcp", SourcePrefixes = ["2001:db8::/32"] } }));

        Assert.Equal(2, errors.Count);
        Assert.Contains("taken first by classes[0] ('rtp')", errors["striper.classes[2].match"]);
        Assert.Contains("taken first by classes[3] ('office')", errors["striper.classes[4].match"]);
    }

    [Fact]
    public void Validate_PortRangesCoveredByTheUnionOfAnEarlierClassesRanges_Shadowed()
    {
        var errors = Errors(Classes(
            new TrafficClassSpec { Name = "a", Action = TrafficAction.Pin, Match = new() { Protocol = "tcp", DestinationPorts = ["100-199", "200-299"] } },
            new TrafficClassSpec { Name = "b", Action = TrafficAction.Pin, Match = new() { Protocol = "tcp", DestinationPorts = ["150-250"] } },
            new TrafficClassSpec { Name = "c", Action = TrafficAction.Pin, Match = new() { Protocol = "tcp", DestinationPorts = ["250-300"] } }));

        Assert.Equal(["striper.classes[1].match"], errors.Keys);
    }

    [Fact]
    public void Validate_NamesMembersAndActionOptions_FieldErrors()
    {
        var errors = Errors(Classes(
            new TrafficClassSpec { Name = "Voice!", Action = TrafficAction.Pin, Match = new() { Dscp = [1] } },
            new TrafficClassSpec { Name = "default", Action = TrafficAction.Pin, Match = new() { Dscp = [2] } },
            new TrafficClassSpec { Name = "x", Action = TrafficAction.Stripe, Match = new() { Dscp = [3] } },
            new TrafficClassSpec { Name = "x", Action = TrafficAction.Duplicate, Members = ["a0", "eth9", "a0"], Duplicate = new() { Copies = 3 }, Match = new() { Dscp = [4] } },
            new TrafficClassSpec { Name = "y", Action = TrafficAction.Pin, Members = ["a1"], Pin = new() { Member = "a2" }, Fec = new(), Match = new() { Dscp = [5] } },
            new TrafficClassSpec { Name = "z", Action = TrafficAction.Fec, Fec = new() { TargetLossPercent = 0, MaxDelayMs = 0, MaxOverheadPercent = 101 }, Match = new() { Dscp = [6] } },
            new TrafficClassSpec { Name = "w", Action = TrafficAction.Stripe, Stripe = new() { Scheduler = StripeSchedulerKind.Redundant, SchedulerParameters = new Dictionary<string, double> { ["copies"] = 1, ["speed"] = 2 } }, Match = new() { Dscp = [7] } },
            new TrafficClassSpec { Name = "d", Action = TrafficAction.Duplicate, Duplicate = new() { Copies = 1 }, Match = new() { Dscp = [8] } }));

        Assert.Contains("lower-case", errors["striper.classes[0].name"]);
        Assert.Contains("'default' names", errors["striper.classes[1].name"]);
        Assert.Contains("needs its options", errors["striper.classes[2].stripe"]);
        Assert.Contains("another class is named 'x'", errors["striper.classes[3].name"]);
        Assert.Contains("not a member", errors["striper.classes[3].members[1]"]);
        Assert.Contains("listed twice", errors["striper.classes[3].members[2]"]);
        Assert.Contains("3 copies, but the class has 1 members", errors["striper.classes[3].duplicate.copies"]);
        Assert.Contains("not one of the class's members", errors["striper.classes[4].pin.member"]);
        Assert.Contains("options of action fec, but the class's action is pin", errors["striper.classes[4].fec"]);
        Assert.Contains("greater than 0", errors["striper.classes[5].fec.targetLossPercent"]);
        Assert.Contains("between 1 and", errors["striper.classes[5].fec.maxDelayMs"]);
        Assert.Contains("at most 100", errors["striper.classes[5].fec.maxOverheadPercent"]);
        Assert.Contains("at least 2 copies", errors["striper.classes[6].stripe.schedulerParameters.copies"]);
        Assert.Contains("unknown parameter", errors["striper.classes[6].stripe.schedulerParameters.speed"]);
        Assert.Contains("0 (every member) or 2–16", errors["striper.classes[7].duplicate.copies"]);
    }

    [Fact]
    public void Validate_Tiers_FieldErrors()
    {
        var spec = PolicySpecs.Link(3, (i, m) => i == 2 ? m with { AdminState = MemberAdminState.Backup } : m);

        var contradicts = Errors(new StriperPolicy { Tiers = [null, LinkTier.Overflow, LinkTier.Overflow] }, spec);
        var none = Errors(new StriperPolicy { Tiers = [LinkTier.Never, LinkTier.Never, LinkTier.Never] });
        var otherKind = LinkSpecValidator.Validate(new LinkSpec
        {
            Kind = LinkKind.Teql,
            Name = "teql0",
            Members = [new MemberSpec { Interface = "eth1", ProbeTarget = "192.0.2.1" }, new MemberSpec { Interface = "eth2", ProbeTarget = "192.0.2.1", Tier = LinkTier.Overflow }],
        });
        var neverInClass = Errors(new StriperPolicy { Tiers = [LinkTier.Never], Classes = [new() { Name = "c", Action = TrafficAction.Pin, Members = ["a0"] }] });

        Assert.Equal(["members[2].tier"], contradicts.Keys);
        Assert.Contains("every enabled member is tier never", none["members"]);
        Assert.Equal(("members[1].tier", "tiers apply to striper links only"), Assert.Single(otherKind, e => e.Path.EndsWith(".tier", StringComparison.Ordinal)) is var e ? (e.Path, e.Message) : default);
        Assert.Contains("'a0' is tier never", neverInClass["striper.classes[0].members[0]"]);
    }

    [Fact]
    public void TierOf_FollowsAdminStateUnlessGiven()
    {
        var spec = PolicySpecs.Link(3, (i, m) => i == 1 ? m with { AdminState = MemberAdminState.Backup } : m);
        var policy = StriperPolicy.Of(StriperPair.With(spec, new StriperPolicy { Tiers = [LinkTier.Overflow] }));

        Assert.Equal(LinkTier.Overflow, policy.TierOf(0, spec.Members[0]));
        Assert.Equal(LinkTier.Backup, policy.TierOf(1, spec.Members[1]));
        Assert.Equal(LinkTier.Primary, policy.TierOf(2, spec.Members[2]));
    }
}
