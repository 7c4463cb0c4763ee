using Fleet.Agent.SpeedTests;
using Fleet.Agent.Tests.Support;

namespace Fleet.Agent.Tests.SpeedTests;

/// <summary>An interface's speed from sysfs: Mbit/s to bit/s, none when the kernel has none, and no name outside sysfs.</summary>
public sealed class InterfaceSpeedTests : IDisposable
{
    private readonly TempDirectory _sysfs = new();

    public InterfaceSpeedTests()
    {
        Write("eth1", "1000\n");
        Write("wwan0", "-1\n");
        Write("lo", "");
        File.WriteAllText(Path.Combine(_sysfs.Path, "speed"), "40000\n"); // what "." would read
    }

    public void Dispose() => _sysfs.Dispose();

    [Theory]
    [InlineData("eth1", 1e9)]
    [InlineData("wwan0", null)] // no carrier or no speed: -1
    [InlineData("lo", null)]
    [InlineData("eth9", null)] // no such interface
    [InlineData(".", null)]
    [InlineData("..", null)]
    [InlineData("a/b", null)]
    [InlineData("", null)]
    [InlineData("averyveryverylongname", null)]
    public void BitsPerSecond(string name, double? expected)
    {
        Assert.Equal(expected, InterfaceSpeed.BitsPerSecond(name, _sysfs.Path));
    }

    private void Write(string name, string speed)
    {
        Directory.CreateDirectory(Path.Combine(_sysfs.Path, name));
        File.WriteAllText(Path.Combine(_sysfs.Path, name, "speed"), speed);
    }
}
