using Fleet.Web.Formatting;

namespace Fleet.Web.Tests.Formatting;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(0, "0 bit/s")]
    [InlineData(950, "950 bit/s")]
    [InlineData(999.4, "999 bit/s")]
    [InlineData(999.6, "1.00 kbit/s")]
    [InlineData(1_500_000, "1.50 Mbit/s")]
    [InlineData(12_345_678, "12.3 Mbit/s")]
    [InlineData(321_000_000, "321 Mbit/s")]
    [InlineData(12_300_000_000, "12.3 Gbit/s")]
    [InlineData(-2_000, "-2.00 kbit/s")]
    public void BitsPerSecond_Value_UsesDecimalPrefixesAndThreeDigits(double value, string expected) =>
        Assert.Equal(expected, Units.BitsPerSecond(value));

    [Fact]
    public void BitsPerSecond_NullOrNaN_IsUnknownNotZero()
    {
        Assert.Equal(Units.Unknown, Units.BitsPerSecond(null));
        Assert.Equal(Units.Unknown, Units.BitsPerSecond(double.NaN));
    }

    [Theory]
    [InlineData(0, "0 %")]
    [InlineData(0.004, "<0.01 %")]
    [InlineData(0.05, "0.05 %")]
    [InlineData(2.5, "2.5 %")]
    [InlineData(12.34, "12.3 %")]
    [InlineData(100, "100 %")]
    public void Percent_Value_Formatted(double value, string expected) => Assert.Equal(expected, Units.Percent(value));

    [Theory]
    [InlineData(0.35, "0.35 ms")]
    [InlineData(12.44, "12.4 ms")]
    [InlineData(250, "250 ms")]
    [InlineData(1250, "1.25 s")]
    public void Milliseconds_Value_Formatted(double value, string expected) => Assert.Equal(expected, Units.Milliseconds(value));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1234, "1,234")]
    [InlineData(2_100_000, "2.10 M")]
    public void Count_Value_Formatted(long value, string expected) => Assert.Equal(expected, Units.Count(value));

    [Theory]
    [InlineData(45, "45 s")]
    [InlineData(720, "12 min")]
    [InlineData(3 * 3600 + 300, "3 h 5 min")]
    [InlineData(2 * 86400 + 4 * 3600, "2 d 4 h")]
    public void Duration_Seconds_Formatted(int seconds, string expected) =>
        Assert.Equal(expected, Units.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void RateFromBytes_BytesOverInterval_IsBitsPerSecond() =>
        Assert.Equal(8_000_000, Units.RateFromBytes(2_000_000, TimeSpan.FromSeconds(2)));
}
