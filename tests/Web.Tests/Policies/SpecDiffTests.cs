using Fleet.Contracts.Links;
using Fleet.Web.Policies;

namespace Fleet.Web.Tests.Policies;

public sealed class SpecDiffTests
{
    [Fact]
    public void Compute_SameSpec_NoChanges() =>
        Assert.Empty(SpecDiff.Compute(SpecSamples.Bond(), SpecSamples.Bond()));

    [Fact]
    public void Compute_StriperKeyChanged_NeverShowsEitherKey()
    {
        var before = SpecSamples.Striper();
        var newKey = Convert.ToBase64String(Enumerable.Repeat((byte)9, 32).ToArray());
        var after = before with { Striper = before.Striper! with { Key = newKey } };

        var change = Assert.Single(SpecDiff.Compute(before, after));

        Assert.Equal("striper.key", change.Path);
        Assert.DoesNotContain(SpecSamples.Key, change.Before + change.After, StringComparison.Ordinal);
        Assert.DoesNotContain(newKey, change.Before + change.After, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_MemberAdded_ListsItsFieldsAsAdded()
    {
        var before = SpecSamples.Bond();
        var after = before with { Members = [.. before.Members, new MemberSpec { Interface = "eth3" }] };

        var changes = SpecDiff.Compute(before, after);

        Assert.Contains(new SpecDiff.Change("members[2].interface", null, "eth3"), changes);
    }

    [Fact]
    public void Compute_ListOfValues_ReadsAsOneLine()
    {
        var before = SpecSamples.Bond();
        var after = before with { Addresses = ["10.8.0.1/24", "10.8.1.1/24"] };

        var change = Assert.Single(SpecDiff.Compute(before, after));

        Assert.Equal(new SpecDiff.Change("addresses", "10.8.0.1/24", "10.8.0.1/24, 10.8.1.1/24"), change);
    }

    [Fact]
    public void Redact_SerializedStriperSpec_HidesTheKey()
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(SpecSamples.Striper(), Fleet.Contracts.Json.FleetJson.Options);

        var text = SpecRedaction.Redact(node)!.ToJsonString();

        Assert.DoesNotContain(SpecSamples.Key, text, StringComparison.Ordinal);
        Assert.Contains(SpecRedaction.Hidden, text, StringComparison.Ordinal);
    }
}
