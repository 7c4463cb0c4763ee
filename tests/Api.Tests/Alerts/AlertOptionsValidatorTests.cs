using Fleet.Api.Alerts;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Tests.Alerts;

public sealed class AlertOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new AlertOptionsValidator().Validate(null, new AlertOptions()).Succeeded);

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = new AlertOptions
        {
            EvaluationInterval = TimeSpan.Zero,
            FlapChanges = 1,
            DashboardUrl = new Uri("ftp://fleet.example.net/"),
            Receivers =
            [
                new AlertReceiverOptions { Name = "hook", Kind = AlertReceiverKind.Webhook, Url = new Uri("https://hooks.example.net/"), Secret = "short" },
                new AlertReceiverOptions { Name = "hook", Kind = AlertReceiverKind.Alertmanager },
            ],
        };
        options.Rules.LinkDown.For = TimeSpan.FromSeconds(-1);
        options.Rules.LossHigh.Threshold = 100;
        options.Rules.LatencyHigh.Threshold = double.NaN;

        var result = new AlertOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:EvaluationInterval", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:FlapChanges", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:DashboardUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Rules:LinkDown:For", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Receivers:0:Secret", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Receivers:1:Name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Receivers:1:Url", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Rules:LossHigh:Threshold", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Fleet:Alerts:Rules:LatencyHigh:Threshold", StringComparison.Ordinal));
        Assert.Equal(9, failures.Count);
    }
}
