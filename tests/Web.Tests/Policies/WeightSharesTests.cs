using Fleet.Web.Policies;

namespace Fleet.Web.Tests.Policies;

/// <summary>Issue 19: each striper weight shows its share of the traffic among the members that carry it together.</summary>
public sealed class WeightSharesTests
{
    [Fact]
    public void Of_ActivePrimaries_ShareOfTheirWeightsSum()
    {
        var shares = WeightShares.Of([Member("1"), Member("3"), Member("")]);

        // An empty weight counts as 1, as the striper takes it: 1 + 3 + 1.
        Assert.Equal(["20 %", "60 %", "20 %"], shares);
    }

    [Fact]
    public void Of_OverflowBackupOrUnparsable_NoShareAndNotCounted()
    {
        var shares = WeightShares.Of([Member("2"), Member("2", tier: "overflow"), Member("2", adminState: "backup"), Member("two"), Member("2")]);

        Assert.Equal(["50 %", null, null, null, "50 %"], shares);
    }

    private static MemberForm Member(string weight, string adminState = "active", string? tier = null) =>
        new() { Interface = "eth0", Weight = weight, AdminState = adminState, Tier = tier };
}
