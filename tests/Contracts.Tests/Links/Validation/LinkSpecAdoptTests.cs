using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

/// <summary>
/// Issue 10: <see cref="LinkSpec.Adopt"/> lets the agent take over a device Fleet did not create. Specs from before the
/// field (stored revisions, older Api or agents with strict JSON) must read and write as they did.
/// </summary>
public sealed class LinkSpecAdoptTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Fact]
    public void Deserialize_SpecWithoutAdopt_MeansFalse()
    {
        const string json = """{"kind":"striper","name":"str0","members":[{"interface":"eth1","peer":"192.0.2.1:7000"}],"striper":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}}""";

        var spec = JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options)!;

        Assert.False(spec.Adopt);
        Assert.Empty(LinkSpecValidator.Validate(spec));
    }

    [Fact]
    public void Serialize_AdoptFalse_LeavesTheFieldOutForAgentsThatRefuseUnknownFields()
    {
        var json = JsonSerializer.Serialize(Striper(adopt: false), FleetJson.Options);

        Assert.DoesNotContain("adopt", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_AdoptTrue_RoundTrips()
    {
        var json = JsonSerializer.Serialize(Striper(adopt: true), FleetJson.Options);
        var back = JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options)!;

        Assert.Contains("\"adopt\":true", json, StringComparison.Ordinal);
        Assert.True(back.Adopt);
        Assert.False(LinkSpecEquality.AreEquivalent(back, back with { Adopt = false }));
    }

    [Theory]
    [InlineData(LinkKind.Bond)]
    [InlineData(LinkKind.Teql)]
    [InlineData(LinkKind.Striper)]
    public void Validate_AdoptOnAKindWithADevice_NoErrors(LinkKind kind)
    {
        var spec = kind switch
        {
            LinkKind.Bond => new LinkSpec { Kind = kind, Name = "bond0", Members = [new MemberSpec { Interface = "eth1" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 }, Adopt = true },
            LinkKind.Teql => new LinkSpec { Kind = kind, Name = "teql0", Members = [new MemberSpec { Interface = "eth1", ProbeTarget = "192.0.2.1" }], Adopt = true },
            LinkKind.Striper => Striper(adopt: true),
            LinkKind.Mptcp => throw new ArgumentOutOfRangeException(nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Empty(LinkSpecValidator.Validate(spec));
    }

    [Fact]
    public void Validate_AdoptOnMptcp_RefusedOnTheField()
    {
        var spec = new LinkSpec { Kind = LinkKind.Mptcp, Name = "mp0", Members = [new MemberSpec { Interface = "eth1", Address = "192.0.2.10", MptcpFlags = [MptcpEndpointFlag.Signal] }], Adopt = true };

        var errors = LinkSpecValidator.Validate(spec);

        var error = Assert.Single(errors);
        Assert.Equal("adopt", error.Path);
        Assert.Contains("no device", error.Message, StringComparison.Ordinal);
    }

    private static LinkSpec Striper(bool adopt) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000" }],
        Addresses = ["10.9.0.1/30"],
        Adopt = adopt,
        Striper = new StriperOptions { Key = Key },
    };
}
