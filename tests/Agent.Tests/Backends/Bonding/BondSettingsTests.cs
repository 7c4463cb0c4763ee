using Fleet.Agent.Backends.Bonding;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Backends.Bonding;

public sealed class BondSettingsTests
{
    private static LinkSpec Bond(BondOptions options, params MemberSpec[] members) => new()
    {
        Kind = LinkKind.Bond,
        Name = "bond0",
        Members = members.Length == 0 ? [new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2" }] : members,
        Bond = options,
    };

    [Fact]
    public void CreateArguments_8023ad_SetsModeMonitorHashAndLacpRate()
    {
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, LacpRate = BondLacpRate.Fast, XmitHashPolicy = BondXmitHashPolicy.Layer34 }));

        Assert.Equal(
            ["link", "add", "name", "bond0", "type", "bond", "mode", "802.3ad", "miimon", "100", "updelay", "0", "downdelay", "0", "xmit_hash_policy", "layer3+4", "lacp_rate", "fast"],
            settings.CreateArguments("bond0"));
    }

    [Fact]
    public void CreateArguments_ActiveBackupWithArp_SetsTargetsAndNoMiiOptions()
    {
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.ActiveBackup, ArpIntervalMs = 250, ArpIpTargets = ["10.0.0.1", "10.0.0.2"], Primary = "eth2" }));

        Assert.Equal(
            ["link", "add", "name", "bond0", "type", "bond", "mode", "active-backup", "arp_interval", "250", "arp_ip_target", "10.0.0.1,10.0.0.2", "primary", "eth2"],
            settings.CreateArguments("bond0"));
    }

    [Fact]
    public void From_BackupMemberWithoutPrimary_MakesFirstActiveMemberPrimary()
    {
        var spec = Bond(
            new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 },
            new MemberSpec { Interface = "eth1", AdminState = MemberAdminState.Backup },
            new MemberSpec { Interface = "eth2" });

        Assert.Equal("eth2", BondSettings.From(spec).Primary);
        Assert.Null(BondSettings.From(spec with { Members = [new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth2" }] }).Primary);
    }

    [Fact]
    public void From_RoundRobin_IgnoresHashAndLacp()
    {
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100 }));

        Assert.Null(settings.XmitHashPolicy);
        Assert.Null(settings.LacpRate);
        Assert.Null(settings.Primary);
        Assert.False(settings.UsesPrimary);
    }

    [Fact]
    public void ChangesFrom_MiiWithDelaysToArp_ClearsDelaysFirst()
    {
        var observed = new BondLinkInfo { Mode = "active-backup", Miimon = 100, Updelay = 200, Downdelay = 0 };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.ActiveBackup, ArpIntervalMs = 100, ArpIpTargets = ["10.0.0.1"] }));

        var change = settings.ChangesFrom(observed);

        Assert.Equal(["updelay", "0", "downdelay", "0"], change.Preparation);
        Assert.Equal(["arp_interval", "100", "arp_ip_target", "10.0.0.1"], change.Main);
        Assert.False(change.NeedsBondDown);
        Assert.False(change.ClearPrimary);
    }

    [Fact]
    public void ChangesFrom_NewMiimon_SendsDelaysAgainBecauseTheKernelStoresTicks()
    {
        var observed = new BondLinkInfo { Mode = "balance-rr", Miimon = 100, Updelay = 200, Downdelay = 200 };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 50, UpdelayMs = 200, DowndelayMs = 200 }));

        Assert.Equal(["miimon", "50", "updelay", "200", "downdelay", "200"], settings.ChangesFrom(observed).Main);
    }

    [Fact]
    public void ChangesFrom_LacpRate_NeedsBondDown()
    {
        var observed = new BondLinkInfo { Mode = "802.3ad", Miimon = 100, XmitHashPolicy = "layer2", LacpRate = "slow" };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, LacpRate = BondLacpRate.Fast }));

        var change = settings.ChangesFrom(observed);

        Assert.Equal(["lacp_rate", "fast"], change.Main);
        Assert.True(change.NeedsBondDown);
    }

    [Fact]
    public void ChangesFrom_PrimaryNoLongerWanted_ClearsIt()
    {
        var observed = new BondLinkInfo { Mode = "active-backup", Miimon = 100, Primary = "eth1" };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 }));

        var change = settings.ChangesFrom(observed);

        Assert.True(change.ClearPrimary);
        Assert.Empty(change.Main);
        Assert.Equal(["primary is eth1, not none"], settings.Differences(observed));
    }

    [Fact]
    public void ChangesFrom_MatchingBond_IsEmpty()
    {
        var observed = new BondLinkInfo { Mode = "balance-xor", Miimon = 100, Updelay = 0, Downdelay = 0, XmitHashPolicy = "layer3+4", Primary = "eth1" };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.BalanceXor, MiimonMs = 100, XmitHashPolicy = BondXmitHashPolicy.Layer34 }));

        Assert.True(settings.ChangesFrom(observed).IsEmpty);
        Assert.Empty(settings.Differences(observed));
    }

    [Fact]
    public void Differences_OtherMode_SaysOnlyTheMode()
    {
        var observed = new BondLinkInfo { Mode = "balance-rr", Miimon = 0 };
        var settings = BondSettings.From(Bond(new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 }));

        Assert.Equal(["mode is balance-rr, not active-backup"], settings.Differences(observed));
    }

    [Theory]
    [InlineData(BondXmitHashPolicy.Layer2, "layer2")]
    [InlineData(BondXmitHashPolicy.Layer23, "layer2+3")]
    [InlineData(BondXmitHashPolicy.Layer34, "layer3+4")]
    [InlineData(BondXmitHashPolicy.Encap23, "encap2+3")]
    [InlineData(BondXmitHashPolicy.Encap34, "encap3+4")]
    [InlineData(BondXmitHashPolicy.VlanSrcMac, "vlan+srcmac")]
    public void HashPolicyName_EveryPolicy_IsTheKernelName(BondXmitHashPolicy policy, string name) =>
        Assert.Equal(name, BondSettings.HashPolicyName(policy));
}
