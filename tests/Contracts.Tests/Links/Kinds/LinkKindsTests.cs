using System.Text.Json;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing.Kinds;

namespace Fleet.Contracts.Tests.Links.Kinds;

/// <summary>
/// Issue 15: the link-kind registry. Every shipped kind has its descriptor, and a kind registered by a test
/// (<see cref="FifthKind"/>) is validated and offered as a capability without any edit to the contracts.
/// </summary>
public sealed class LinkKindsTests
{
    public LinkKindsTests() => FifthKind.Register();

    public static TheoryData<LinkKind> ShippedKinds() => new(Enum.GetValues<LinkKind>());

    [Theory]
    [MemberData(nameof(ShippedKinds))]
    public void Of_ShippedKind_WireNameIsItsJsonName(LinkKind kind)
    {
        var descriptor = LinkKinds.Of(kind);

        Assert.Equal(kind, descriptor.Kind);
        Assert.Equal(JsonSerializer.Serialize(kind, FleetJson.Options).Trim('"'), descriptor.WireName);
        Assert.Same(descriptor, LinkKinds.ByWireName(descriptor.WireName));
    }

    [Fact]
    public void Register_AnotherDescriptorForATakenKindOrWireName_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => LinkKinds.Register(new Impostor(LinkKind.Bond, "not-bond")));
        Assert.Throws<InvalidOperationException>(() => LinkKinds.Register(new Impostor((LinkKind)106, "bond")));
        Assert.Equal(LinkKind.Bond, LinkKinds.ByWireName("bond")!.Kind);
        Assert.False(LinkKinds.TryGet((LinkKind)106, out _));
    }

    [Fact]
    public void Validate_KindNotRegistered_IsRefusedAndOnlySharedRulesRun()
    {
        var spec = FifthKind.Spec() with { Kind = (LinkKind)107, Members = [new MemberSpec { Interface = "eth1" }] };

        var errors = LinkSpecValidator.Validate(spec);

        Assert.Equal([new ValidationError("kind", "'107' is not a known value")], errors);
    }

    [Fact]
    public void Validate_FifthKind_ValidSpecPasses()
    {
        Assert.Empty(LinkSpecValidator.Validate(FifthKind.Spec()));
    }

    [Fact]
    public void Validate_FifthKind_RunsItsOwnRule()
    {
        var spec = FifthKind.Spec() with { Members = [new MemberSpec { Interface = "eth1", Address = "192.0.2.1" }, new MemberSpec { Interface = "eth2" }] };

        var error = Assert.Single(LinkSpecValidator.Validate(spec));

        Assert.Equal(new ValidationError("members[1].address", FifthKind.AddressRequired), error);
    }

    [Fact]
    public void Validate_FifthKind_SharedRulesUseItsDescriptor()
    {
        var spec = FifthKind.Spec() with
        {
            Mtu = 1000,
            Members = [new MemberSpec { Interface = "eth1", Address = "192.0.2.1", ProbeTarget = "192.0.2.9", Tier = LinkTier.Backup }],
            Teql = new TeqlOptions(),
        };

        var errors = LinkSpecValidator.Validate(spec);

        Assert.Contains(new ValidationError("mtu", "must be between 1280 and 65535 bytes"), errors);
        Assert.Contains(new ValidationError("members[0].probeTarget", "only teql members have a probe target"), errors);
        Assert.Contains(new ValidationError("members[0].tier", "tiers apply to striper links only"), errors);
        Assert.Contains(new ValidationError("teql", "teql options are only for kind teql"), errors);
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Validate_OtherKindWithAFifthKindField_NamesTheKindsThatHaveIt()
    {
        // The address is a member field of mptcp, striper and (registered here) fifth; bond refuses it in its own words.
        var spec = new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members = [new MemberSpec { Interface = "eth1", Address = "192.0.2.1" }],
            Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 },
        };

        Assert.Equal([new ValidationError("members[0].address", "bond members take no address; put addresses on the link")], LinkSpecValidator.Validate(spec));
    }

    [Fact]
    public void AgentCapabilities_FifthKind_IsSupportedByItsWireNameAndNotedByItsCapability()
    {
        var capabilities = AgentCapabilities.Of(LinkKind.Bond, FifthKind.Value);
        var without = AgentCapabilities.Of(LinkKind.Bond) with { Notes = new Dictionary<string, string> { ["fifth-driver"] = "module fifth not found" } };

        Assert.Equal(["bond", "fifth"], capabilities.Kinds);
        Assert.True(capabilities.Supports(FifthKind.Value));
        Assert.False(without.Supports(FifthKind.Value));
        Assert.Equal("module fifth not found", without.NoteFor(FifthKind.Value));
        Assert.False(capabilities.Supports((LinkKind)107));
    }

    [Fact]
    public void AgentCapabilities_Json_IsTheSetOfWireNames()
    {
        var json = JsonSerializer.Serialize(AgentCapabilities.Of(LinkKind.Bond, LinkKind.Striper), FleetJson.Options);

        Assert.Equal("""{"kinds":["bond","striper"]}""", json);
    }

    private sealed class Impostor(LinkKind kind, string wireName) : LinkKindDescriptor
    {
        public override LinkKind Kind => kind;

        public override string WireName => wireName;

        public override string Capability => "impostor";

        public override IReadOnlyList<ValidationError> Validate(LinkSpec spec) => [];
    }
}
