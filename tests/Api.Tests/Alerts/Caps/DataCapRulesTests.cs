using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Caps;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Tests.Alerts.Caps;

/// <summary>Which data cap level a usage reaches: the highest enabled one, so turning a level off keeps the one below it firing.</summary>
public sealed class DataCapRulesTests
{
    [Theory]
    [InlineData(50, null)]
    [InlineData(75, AlertRule.DataCapWarning)]
    [InlineData(97, AlertRule.DataCapCritical)]
    [InlineData(100, AlertRule.DataCapExhausted)]
    [InlineData(140, AlertRule.DataCapExhausted)]
    public void Level_AllEnabled_TheHighestReached(double percent, AlertRule? expected)
    {
        Assert.Equal(expected, DataCapRules.Level(percent, new AlertOptions()));
    }

    [Fact]
    public void Level_CriticalOff_A97PercentMemberStaysAtWarning()
    {
        var options = new AlertOptions();
        options.Rules.DataCapCritical.Enabled = false;

        Assert.Equal(AlertRule.DataCapWarning, DataCapRules.Level(97, options));
        Assert.Equal(AlertRule.DataCapExhausted, DataCapRules.Level(100, options));
    }

    [Fact]
    public void Level_ExhaustedOff_FullMemberStaysAtCritical_AllOff_Nothing()
    {
        var options = new AlertOptions();
        options.Rules.DataCapExhausted.Enabled = false;
        Assert.Equal(AlertRule.DataCapCritical, DataCapRules.Level(120, options));

        options.Rules.DataCapCritical.Enabled = false;
        options.Rules.DataCapWarning.Enabled = false;
        Assert.Null(DataCapRules.Level(120, options));
    }
}
