using Fleet.Web.Formatting;

namespace Fleet.Web.Tests.Formatting;

public sealed class ViewerTimeZoneTests
{
    private static readonly DateTimeOffset s_noonUtc = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Format_BrowserZone_ShowsLocalTime()
    {
        var zone = new ViewerTimeZone("Europe/Berlin");

        Assert.True(zone.FromBrowser);
        Assert.Equal("2025-07-01 14:00:00", zone.Format(s_noonUtc));
        Assert.Equal("Europe/Berlin", zone.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("../../etc/passwd")]
    public void Format_NoOrUnknownZone_FallsBackToUtcAndSaysSo(string? cookie)
    {
        var zone = new ViewerTimeZone(cookie);

        Assert.False(zone.FromBrowser);
        Assert.Equal("UTC", zone.Name);
        Assert.Equal("2025-07-01 12:00:00", zone.Format(s_noonUtc));
    }

    [Fact]
    public void Ago_MinutesEarlier_ReadsAsMinutesAgo() =>
        Assert.Equal("3 min ago", ViewerTimeZone.Ago(s_noonUtc.AddMinutes(-3), s_noonUtc));
}
