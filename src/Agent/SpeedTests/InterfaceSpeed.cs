using System.Globalization;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Agent.SpeedTests;

/// <summary>An interface's link speed as the kernel reports it (<c>/sys/class/net/NAME/speed</c>, Mbit/s; -1 or absent when it has none).</summary>
public static class InterfaceSpeed
{
    /// <summary>The speed of <paramref name="interfaceName"/> in bit/s; null when the kernel reports none or the name is not an interface name.</summary>
    public static double? BitsPerSecond(string interfaceName, string sysfs = "/sys/class/net")
    {
        // The one interface-name rule: it also keeps the name from leaving /sys/class/net (no "/", ".", "..").
        if (!InterfaceName.IsValid(interfaceName))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(Path.Combine(sysfs, interfaceName, "speed")).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var mbit) && mbit > 0 ? mbit * 1e6 : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reading speed fails with EINVAL on interfaces without carrier, and the file is absent on others.
            return null;
        }
    }
}
