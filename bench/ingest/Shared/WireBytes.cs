using System.Diagnostics;
using System.Globalization;

namespace Fleet.Bench;

/// <summary>
/// TCP payload bytes on this machine's established connections to one port, read from the kernel's per-socket counters
/// (<c>ss -tin</c>, tcp_info's <c>bytes_acked</c>). Nothing sits in the data path, so the
/// measurement costs the Api nothing; it counts what really crossed the socket: hub messages, their WebSocket framing
/// and pings. Connections that close during a window drop out of the difference (the bench's fleet stays connected).
/// </summary>
internal static class WireBytes
{
    /// <summary>Bytes sent to <paramref name="port"/> (and acknowledged) by every established connection to it now.</summary>
    public static long SentTo(int port)
    {
        var start = new ProcessStartInfo("ss")
        {
            ArgumentList = { "-tinH", "state", "established", "dport", "=", ":" + port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
        };
        using var ss = Process.Start(start) ?? throw new InvalidOperationException("ss did not start");
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        if (ss.ExitCode != 0)
        {
            throw new InvalidOperationException($"ss exited with {ss.ExitCode}");
        }

        const string counter = "bytes_acked:";
        long sent = 0;
        foreach (var token in output.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith(counter, StringComparison.Ordinal))
            {
                sent += long.Parse(token.AsSpan(counter.Length), CultureInfo.InvariantCulture);
            }
        }

        return sent;
    }
}
