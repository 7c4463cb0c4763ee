using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using static Fleet.Agent.Tests.Backends.Bonding.BondVm;

namespace Fleet.Agent.Tests.Backends.Bonding;

/// <summary>
/// Kernel bonding inside the Debian kernel booted under qemu: every mode and option in turn on one bond, and specs that
/// must be refused without creating anything. A class of its own so the guest runs it beside the failover tests.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class BondOptionsVmTests
{
    [KernelVmGuestFact]
    public async Task Apply_EachModeInTurn_BondTakesEveryOption()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bo");
        LinkSpec? current = null;
        var variants = new (string What, BondOptions Options, string? Mac, int? Mtu)[]
        {
            ("balance-rr, MII with delays, MAC, MTU", new BondOptions { Mode = BondMode.BalanceRoundRobin, MiimonMs = 100, UpdelayMs = 200, DowndelayMs = 300 }, "02:00:00:00:61:01", 1400),
            ("active-backup, ARP monitor", new BondOptions { Mode = BondMode.ActiveBackup, ArpIntervalMs = 200, ArpIpTargets = ["10.61.3.2", "10.61.3.3"], Primary = "a2" }, null, null),
            ("balance-xor, layer3+4", new BondOptions { Mode = BondMode.BalanceXor, MiimonMs = 50, XmitHashPolicy = BondXmitHashPolicy.Layer34 }, null, null),
            ("802.3ad, fast LACP, layer2+3", new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100, LacpRate = BondLacpRate.Fast, XmitHashPolicy = BondXmitHashPolicy.Layer23 }, null, null),
            ("802.3ad, slow LACP", new BondOptions { Mode = BondMode.Ieee8023ad, MiimonMs = 100 }, null, null),
            ("balance-tlb, primary", new BondOptions { Mode = BondMode.BalanceTlb, MiimonMs = 100, Primary = "a2", XmitHashPolicy = BondXmitHashPolicy.Layer34 }, null, null),
            ("balance-alb", new BondOptions { Mode = BondMode.BalanceAlb, MiimonMs = 100 }, null, null),
            ("active-backup, MII, no primary", new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100, UpdelayMs = 100 }, null, null),
        };

        for (var i = 0; i < variants.Length; i++)
        {
            var (what, options, mac, mtu) = variants[i];
            var spec = pair.Spec("a", options.Mode, "10.61.3.1/24") with { Bond = options with { MacAddress = mac }, Mtu = mtu };
            Assert.Empty(LinkSpecValidator.Validate(spec));
            var result = await pair.A.ApplyAsync(current, spec, Token);
            Assert.True(result.Succeeded, $"{what}: {result.Error}");

            var observed = await pair.A.ObserveBondAsync(spec, Token);
            Assert.True(observed.Link.Drift is null, $"{what}: {Describe(observed)}");
            Assert.True(observed.Info?.Mode == LinkSpecValidator.ModeName(options.Mode), $"{what}: {Describe(observed)}");
            Assert.All(observed.Members, m => Assert.True(m.Enslaved, $"{what}: {m.Interface} enslaved: {Describe(observed)}"));
            if (mac is not null)
            {
                var address = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/address")).StandardOutput.Trim();
                Assert.True(address == mac, $"{what}: bond0 has MAC {address}, not {mac}");
            }

            if (i % 2 == 0)
            {
                // Idempotent: applying the same spec again changes nothing (the bond is not recreated).
                var index = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput;
                Assert.Equal(Ok, await pair.A.ApplyAsync(spec, spec, Token));
                var again = await pair.A.ObserveBondAsync(spec, Token);
                Assert.True(again.Link.Drift is null, $"{what}, applied twice: {Describe(again)}");
                var indexAfter = (await pair.Network.InAsync(pair.NsA, "cat", "/sys/class/net/bond0/ifindex")).StandardOutput;
                Assert.True(index == indexAfter, $"{what}: applying the same spec again recreated bond0 (ifindex {index.Trim()} -> {indexAfter.Trim()})");
            }

            current = spec;
        }

        Assert.Equal(Ok, await pair.A.RemoveAsync(current!, Token));
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");
    }

    [KernelVmGuestFact]
    public async Task Apply_UnusableMembers_FailsWithoutCreatingAnything()
    {
        Privileged.Require("network namespaces and bonding in the kernel VM");
        await using var pair = await BondPair.CreateAsync("bf");
        var missing = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.6.1/24") with
        {
            Members = [new MemberSpec { Interface = "a1" }, new MemberSpec { Interface = "nosuch0" }],
        };

        var result = await pair.A.ApplyAsync(null, missing, Token);

        Assert.False(result.Succeeded);
        Assert.Equal("member nosuch0 does not exist", result.Error);
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");

        // A member that already belongs to another bond is refused too, and the other bond is left alone.
        var other = pair.Spec("a", BondMode.ActiveBackup, "10.61.7.1/24") with { Name = "bond1" };
        Assert.Equal(Ok, await pair.A.ApplyAsync(null, other, Token));
        var taken = pair.Spec("a", BondMode.BalanceRoundRobin, "10.61.6.1/24");
        var refused = await pair.A.ApplyAsync(null, taken, Token);
        Assert.False(refused.Succeeded);
        Assert.Equal("member a1 is already enslaved to bond1", refused.Error);
        var untouched = await pair.A.ObserveBondAsync(other, Token);
        Assert.True(untouched.Link.Drift is null, $"bond1 left alone: {Describe(untouched)}");
        var notCreated = await pair.A.ObserveBondAsync(taken, Token);
        Assert.False(notCreated.Link.Exists, $"bond0 was not created: {Describe(notCreated)}");
        Assert.Equal(Ok, await pair.A.RemoveAsync(other, Token));
        await pair.AssertNoBondLeftAsync(pair.NsA, "a1", "a2");
    }
}
