using System.Globalization;

namespace Fleet.Agent.Backends.Teql;

/// <summary>The outcome of one <c>ping -c 1</c> probe, read from iputils' summary.</summary>
public static class PingReply
{
    /// <summary>The round-trip time in ms when the probe was answered; null when it was not.</summary>
    public static double? RoundTripMs(int exitCode, string output)
    {
        // iputils exits 0 only when a reply came back; the summary line carries the time:
        // "rtt min/avg/max/mdev = 0.442/0.442/0.442/0.000 ms"
        if (exitCode != 0)
        {
            return null;
        }

        foreach (var line in output.Split('\n'))
        {
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (!line.StartsWith("rtt ", StringComparison.Ordinal) && !line.StartsWith("round-trip ", StringComparison.Ordinal) || equals < 0)
            {
                continue;
            }

            var values = line[(equals + 3)..].Split('/');
            if (values.Length >= 2 && double.TryParse(values[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var average))
            {
                return average;
            }
        }

        // Answered, but no summary to read a time from.
        return 0;
    }
}
