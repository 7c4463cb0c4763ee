using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

/// <summary>Issue 10: the agent restarts each mptcpize service; a spec must not name system services or option-looking names.</summary>
public sealed class MptcpizeServiceNameTests
{
    [Theory]
    [InlineData("sshd.service")]
    [InlineData("nginx.service")]
    [InlineData("-fleet-web.service")]
    [InlineData("--user.service")]
    [InlineData("fleet-web")]
    [InlineData("fleet-.service")]
    [InlineData("fleet-web.service extra")]
    public void Validate_MptcpizeServiceNotFleetPrefixed_IsRefusedWithThePath(string service)
    {
        var errors = LinkSpecValidator.Validate(Spec(service));

        var error = Assert.Single(errors);
        Assert.Equal("mptcp.mptcpizeServices[0]", error.Path);
        Assert.Contains("fleet-NAME.service", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fleet-web.service")]
    [InlineData("fleet-iperf3@5201.service")]
    public void Validate_FleetPrefixedService_IsAccepted(string service) => Assert.Empty(LinkSpecValidator.Validate(Spec(service)));

    private static LinkSpec Spec(string service) => new()
    {
        Kind = LinkKind.Mptcp,
        Name = "mp0",
        Members = [new MemberSpec { Interface = "eth1", MptcpFlags = [MptcpEndpointFlag.Signal] }],
        Mptcp = new MptcpOptions { MptcpizeServices = [service] },
    };
}
