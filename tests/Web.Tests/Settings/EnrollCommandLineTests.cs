using Fleet.Web.Settings;

namespace Fleet.Web.Tests.Settings;

public sealed class EnrollCommandLineTests
{
    [Fact]
    public void For_UrlAndToken_IsTheExactCommand() =>
        Assert.Equal(
            "fleet-agent enroll --server https://fleet.example:5080 --token fleet_e_AbC-_9",
            EnrollCommandLine.For("https://fleet.example:5080", "fleet_e_AbC-_9"));

    [Fact]
    public void For_ShellMetacharacters_AreQuoted() =>
        Assert.Equal(
            "fleet-agent enroll --server 'http://h/$(reboot)' --token 'a'\\''b' --allow-insecure-http",
            EnrollCommandLine.For("http://h/$(reboot)", "a'b"));

    [Fact]
    public void For_PlainHttpServer_AllowsInsecureHttpExplicitly() =>
        Assert.Equal(
            "fleet-agent enroll --server http://127.0.0.1:5080 --token fleet_e_x --allow-insecure-http",
            EnrollCommandLine.For("http://127.0.0.1:5080", "fleet_e_x"));
}
