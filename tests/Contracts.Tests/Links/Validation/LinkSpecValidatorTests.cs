using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

public sealed class LinkSpecValidatorTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static LinkSpec Bond(BondOptions options, params string[] members) => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members = members.Select(m => new MemberSpec { Interface = m }).ToArray(),
        Bond = options,
    };

    private static LinkSpec Striper(StriperOptions? options = null) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members =
        [
            new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000", Weight = 1 },
            new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001", Weight = 3 },
        ],
        Addresses = ["10.9.0.1/30"],
        Striper = options ?? new StriperOptions { Key = Key },
    };

    [Fact]
    public void Validate_ValidBond_NoErrors()
    {
        var spec = Bond(new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, UpdelayMs = 200, Primary = "eth1" }, "eth1", "eth2");

        Assert.Empty(LinkSpecValidator.Validate(spec));
    }

    [Fact]
    public void Validate_ValidStriper_NoErrors()
    {
        Assert.Empty(LinkSpecValidator.Validate(Striper()));
    }

    [Fact]
    public void Validate_ValidTeqlAndMptcp_NoErrors()
    {
        var teql = new LinkSpec
        {
            Kind = LinkKind.Teql,
            Name = "teql0",
            Members = [new MemberSpec { Interface = "veth1", ProbeTarget = "10.1.0.2" }],
            Addresses = ["10.3.0.1/24"],
        };
        var mptcp = new LinkSpec
        {
            Kind = LinkKind.Mptcp,
            Name = "mp0",
            Members =
            [
                new MemberSpec { Interface = "eth1", Address = "10.0.0.1", MptcpFlags = [MptcpEndpointFlag.Subflow, MptcpEndpointFlag.Fullmesh] },
                new MemberSpec { Interface = "eth2", MptcpFlags = [MptcpEndpointFlag.Signal, MptcpEndpointFlag.Backup] },
            ],
            Mptcp = new MptcpOptions { SubflowsLimit = 4, MptcpizeServices = ["fleet-iperf3.service"] },
        };

        Assert.Empty(LinkSpecValidator.Validate(teql));
        Assert.Empty(LinkSpecValidator.Validate(mptcp));
    }

    [Fact]
    public void Validate_MiimonAndArpTogether_ReportsExclusive()
    {
        var spec = Bond(new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100, ArpIntervalMs = 100, ArpIpTargets = ["10.0.0.1"] }, "eth1");

        var errors = LinkSpecValidator.Validate(spec);

        Assert.Contains(errors, e => e.Path == "bond.arpIntervalMs" && e.Message.Contains("exclusive", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOneWithItsPath()
    {
        var spec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = "this-name-is-far-too-long",
            Members =
            [
                new MemberSpec { Interface = "eth/1", LocalPort = 70000, Weight = 0 },
                new MemberSpec { Interface = "..", Peer = "not-an-endpoint", Weight = -2 },
            ],
            Addresses = ["10.9.0.1"],
            ConfirmTimeoutSeconds = 1,
            Striper = new StriperOptions
            {
                Key = "c2hvcnQ=",
                Scheduler = StripeSchedulerKind.BwPoll,
                SchedulerParameters = new Dictionary<string, double> { ["decay"] = 2, ["bogus"] = 1 },
            },
        };

        var paths = LinkSpecValidator.Validate(spec).Select(e => e.Path).ToHashSet();

        string[] expected =
        [
            "name", "members[0].interface", "members[0].localPort", "members[0].weight", "members[1].interface",
            "members[1].peer", "members[1].weight", "addresses[0]", "confirmTimeoutSeconds", "striper.key",
            "striper.schedulerParameters.decay", "striper.schedulerParameters.bogus",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
    }

    [Theory]
    [InlineData("eth0", true)]
    [InlineData("wwan0.100", true)]
    [InlineData("abcdefghijklmno", true)]
    [InlineData("abcdefghijklmnop", false)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("a\tb", false)]
    [InlineData("eth0:1", false)]
    [InlineData("éth0", false)]
    public void InterfaceName_IsValid_FollowsKernelRules(string name, bool valid)
    {
        Assert.Equal(valid, InterfaceName.IsValid(name));
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("10.1", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("0x0a.0.0.1", false)]
    [InlineData("256.0.0.1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("167772161", false)]
    public void StrictIp_TryParse_RejectsLegacyForms(string text, bool valid)
    {
        Assert.Equal(valid, StrictIp.TryParse(text, out _));
    }

    [Fact]
    public void Deserialize_NullMembersFromHostileJson_ValidatorReportsInsteadOfThrowing()
    {
        // RespectNullableAnnotations rejects the null at deserialization; the validator must also cope when a caller
        // builds a spec without the serializer.
        const string json = """{"kind":"bond","name":"bond0","members":null}""";
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options));

        var spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = null! };
        var errors = LinkSpecValidator.Validate(spec);

        Assert.Contains(errors, e => e.Path == "members");
        Assert.Contains(errors, e => e.Path == "bond");
    }

    [Fact]
    public void Serialize_Spec_UsesWireNames()
    {
        var spec = Bond(new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, XmitHashPolicy = BondXmitHashPolicy.Layer34, LacpRate = BondLacpRate.Fast }, "eth1");

        var json = JsonSerializer.Serialize(spec, FleetJson.Options);
        var back = JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options);

        Assert.Contains("\"mode\":\"802.3ad\"", json, StringComparison.Ordinal);
        Assert.Contains("\"xmitHashPolicy\":\"layer3+4\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"bond\"", json, StringComparison.Ordinal);
        Assert.True(LinkSpecEquality.AreEquivalent(spec, back));
        Assert.False(LinkSpecEquality.AreEquivalent(spec, back! with { Name = "bond1" }));
    }

    [Fact]
    public void Deserialize_UnknownField_IsRefused()
    {
        const string json = """{"kind":"bond","name":"bond0","members":[{"interface":"eth1"}],"bond":{"mode":"balance-rr","miimonMs":100},"colour":"red"}""";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options));
    }
}
