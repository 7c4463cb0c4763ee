using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

public sealed class StriperValidationTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static LinkSpec Spec(params MemberSpec[] members) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = members,
        Striper = new StriperOptions { Key = Key },
    };

    [Fact]
    public void Validate_SamePortOnDifferentInterfacesWithoutAddress_Valid()
    {
        // Each path socket is bound to its own device, so the kernel lets them share a port.
        var spec = Spec(new MemberSpec { Interface = "eth1", LocalPort = 7000 }, new MemberSpec { Interface = "eth2", LocalPort = 7000 });

        Assert.Empty(LinkSpecValidator.Validate(spec));
    }

    [Fact]
    public void Validate_SameAddressAndPort_ReportsConflict()
    {
        var spec = Spec(
            new MemberSpec { Interface = "eth1", Address = "192.0.2.1", LocalPort = 7000 },
            new MemberSpec { Interface = "eth2", Address = "192.0.2.1", LocalPort = 7000 });

        var errors = LinkSpecValidator.Validate(spec);

        Assert.Contains(errors, e => e.Path == "members[1].localPort");
    }

    [Fact]
    public void Validate_HealthThresholdsOutOfRange_ReportsEach()
    {
        var spec = Spec(new MemberSpec { Interface = "eth1", Peer = "192.0.2.1:7000" }) with
        {
            Striper = new StriperOptions { Key = Key, DownAfterMissedProbes = 0, UpAfterProbes = 101, DegradedLossPercent = 0 },
        };

        var paths = LinkSpecValidator.Validate(spec).Select(e => e.Path).ToList();

        Assert.Contains("striper.downAfterMissedProbes", paths);
        Assert.Contains("striper.upAfterProbes", paths);
        Assert.Contains("striper.degradedLossPercent", paths);
    }

    [Fact]
    public void Validate_DefaultThresholds_Valid()
    {
        var options = new StriperOptions { Key = Key };

        Assert.Equal(3, options.DownAfterMissedProbes);
        Assert.Equal(3, options.UpAfterProbes);
        Assert.Equal(20, options.DegradedLossPercent);
        Assert.Empty(LinkSpecValidator.Validate(Spec(new MemberSpec { Interface = "eth1", Peer = "192.0.2.1:7000" })));
    }

    [Fact]
    public void Validate_MemberWithNeitherPortNorPeer_Reported()
    {
        var errors = LinkSpecValidator.Validate(Spec(new MemberSpec { Interface = "eth1" }));

        Assert.Contains(errors, e => e.Path == "members[0]");
    }
}
