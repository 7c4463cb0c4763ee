using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Policies;

namespace Fleet.Web.Tests.Policies;

public sealed class PolicyFormTests
{
    [Theory]
    [MemberData(nameof(SpecSamples.Kinds), MemberType = typeof(SpecSamples))]
    public void ToSpec_FormFromSpec_RoundTripsEquivalent(string kind)
    {
        var spec = SpecSamples.Of(kind);
        Assert.Empty(LinkSpecValidator.Validate(spec));
        var errors = new List<ValidationError>();

        var roundTripped = PolicyForm.FromSpec(spec, 7).ToSpec(spec, errors);

        Assert.Empty(errors);
        Assert.True(LinkSpecEquality.AreEquivalent(spec, roundTripped), $"{kind} spec changed on the way through the form");
    }

    [Fact]
    public void ToSpec_AdoptedStriperSpec_KeepsAdopt()
    {
        var spec = SpecSamples.Striper() with { Adopt = true };
        var errors = new List<ValidationError>();

        var roundTripped = PolicyForm.FromSpec(spec, 3).ToSpec(spec, errors);

        Assert.Empty(errors);
        Assert.True(roundTripped.Adopt, "the form dropped adopt");
    }

    [Fact]
    public void ToSpec_WeightNotANumber_ReportsAtTheMembersWeightPath()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        form.Members[1].Weight = "heavy";
        var errors = new List<ValidationError>();

        form.ToSpec(spec, errors);

        var error = Assert.Single(errors);
        Assert.Equal("members[1].weight", error.Path);
    }

    [Fact]
    public void Validate_NegativeWeight_ValidatorReportsAtTheSamePathTheFormShows()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        form.Members[0].Weight = "-1";
        var parseErrors = new List<ValidationError>();

        var edited = form.ToSpec(spec, parseErrors);

        Assert.Empty(parseErrors);
        Assert.Contains(LinkSpecValidator.Validate(edited), e => e.Path == "members[0].weight");
    }

    [Fact]
    public void ToSpec_StriperKeyLeftEmpty_KeepsTheStoredKey()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        Assert.Null(form.Option(StriperFields.Key));

        var edited = form.ToSpec(spec, []);

        Assert.Equal(SpecSamples.Key, edited.Striper!.Key);
    }

    [Fact]
    public void ToSpec_MemberMovedToBackup_OnlyThatChanges()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        form.Members[1].AdminState = "backup";

        var edited = form.ToSpec(spec, []);

        var change = Assert.Single(SpecDiff.Compute(spec, edited));
        Assert.Equal(new SpecDiff.Change("members[1].adminState", "active", "backup"), change);
    }

    [Theory]
    [InlineData("10.0.0.0/8 via", "routes[0]")]
    [InlineData("default metric many", "routes[0].metric")]
    public void ToSpec_MalformedRoute_ReportsTheRoute(string route, string path)
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        form.Routes = route;
        var errors = new List<ValidationError>();

        form.ToSpec(spec, errors);

        Assert.Contains(errors, e => e.Path == path);
    }

    [Fact]
    public void ToSpec_BondModeMissing_IsRequired()
    {
        var spec = SpecSamples.Bond();
        var form = PolicyForm.FromSpec(spec, 1);
        form.SetOption(BondFields.Mode, "");
        var errors = new List<ValidationError>();

        form.ToSpec(spec, errors);

        Assert.Contains(errors, e => e.Path == "bond.mode");
    }

    [Fact]
    public void ToSpec_ClassesNotJson_ReportedAtTheClassesPathAndTheRestKept()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        form.SetOption(StriperFields.Classes, "[{\"name\": \"voice\",");
        var errors = new List<ValidationError>();

        var result = form.ToSpec(spec, errors);

        var error = Assert.Single(errors);
        Assert.Equal("striper.classes", error.Path);
        Assert.StartsWith("not a JSON list of classes", error.Message, StringComparison.Ordinal);
        Assert.Equal(spec.Striper!.DownAfterMissedProbes, result.Striper!.DownAfterMissedProbes);
    }

    [Fact]
    public void ToSpec_TierCleared_MemberGoesByItsAdminState()
    {
        var spec = SpecSamples.Striper();
        var form = PolicyForm.FromSpec(spec, 1);
        Assert.Equal("overflow", form.Members[1].Tier);
        form.Members[1].Tier = "";
        var errors = new List<ValidationError>();

        var result = form.ToSpec(spec, errors);

        Assert.Empty(errors);
        Assert.Null(result.Members[1].Tier);
        Assert.Equal(LinkTier.Primary, LinkTiers.Of(result.Members[1]));
    }
}
