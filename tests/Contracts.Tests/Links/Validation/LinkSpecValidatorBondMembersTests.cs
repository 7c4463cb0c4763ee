using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Contracts.Tests.Links.Validation;

public sealed class LinkSpecValidatorBondMembersTests
{
    private static LinkSpec Bond(BondMode mode, string? primary, params MemberSpec[] members) => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members = members,
        Bond = new BondOptions { Mode = mode, MiimonMs = 100, Primary = primary },
    };

    [Theory]
    [InlineData(BondMode.ActiveBackup)]
    [InlineData(BondMode.BalanceTlb)]
    [InlineData(BondMode.BalanceAlb)]
    public void Validate_BackupMemberInModeWithPrimary_NoErrors(BondMode mode)
    {
        var spec = Bond(mode, null, new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = MemberAdminState.Backup });

        Assert.Empty(LinkSpecValidator.Validate(spec));
    }

    [Theory]
    [InlineData(BondMode.BalanceRoundRobin, "balance-rr")]
    [InlineData(BondMode.BalanceXor, "balance-xor")]
    [InlineData(BondMode.Ieee8023ad, "802.3ad")]
    public void Validate_BackupMemberInModeWithoutPrimary_Refused(BondMode mode, string name)
    {
        var spec = Bond(mode, null, new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = MemberAdminState.Backup });

        var error = Assert.Single(LinkSpecValidator.Validate(spec));

        Assert.Equal("members[1].adminState", error.Path);
        Assert.Equal($"a backup member needs a mode with a primary (active-backup, balance-tlb, balance-alb), not {name}", error.Message);
    }

    [Fact]
    public void Validate_PrimaryIsABackupMember_Refused()
    {
        var spec = Bond(BondMode.ActiveBackup, "eth2", new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = MemberAdminState.Backup });

        var error = Assert.Single(LinkSpecValidator.Validate(spec));

        Assert.Equal("bond.primary", error.Path);
        Assert.Equal("the primary 'eth2' must be an active member, not backup", error.Message);
    }

    [Fact]
    public void Validate_DisabledMemberInAnyMode_NoErrors()
    {
        var spec = Bond(BondMode.BalanceRoundRobin, null, new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2", AdminState = MemberAdminState.Disabled });

        Assert.Empty(LinkSpecValidator.Validate(spec));
    }
}
