using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Debian;

/// <summary>deploy/debian/fleet-agent.service, read as settings; the one list of the agent's capabilities.</summary>
internal static class SystemdUnit
{
    public const string Path = "deploy/debian/fleet-agent.service";

    /// <summary>Every <c>Key=value</c> line of the unit (a key may repeat).</summary>
    public static ILookup<string, string> Settings() =>
        File.ReadAllLines(Repository.PathOf(Path))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToLookup(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>
    /// The capabilities the agent may hold (the unit's <c>CapabilityBoundingSet</c>), without the <c>CAP_</c> prefix as
    /// container engines name them: the agent container gets these and no others.
    /// </summary>
    public static IReadOnlyList<string> AgentCapabilities() =>
        [.. Assert.Single(Settings()["CapabilityBoundingSet"]).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.StartsWith("CAP_", StringComparison.Ordinal) ? c[4..] : c)];
}
