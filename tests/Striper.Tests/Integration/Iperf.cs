using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Fleet.Striper.Tests.Integration;

/// <summary>What an iperf3 run reported.</summary>
internal sealed record IperfResult(int ExitCode, string? Error, long BytesSent, long BytesReceived, long Retransmits, double BitsPerSecond, string Raw)
{
    public bool Completed => ExitCode == 0 && Error is null;

    public override string ToString() =>
        $"exit {ExitCode}, error {Error ?? "none"}, {BytesSent} B sent, {BytesReceived} B received, {BitsPerSecond / 1e6:F0} Mbit/s, {Retransmits} retransmits";
}

/// <summary>
/// Waits for a background transfer when a test ends early (a failed assertion), so the tests after it find the shared
/// link's iperf3 server free instead of failing with "the server is busy".
/// </summary>
internal sealed class BackgroundTransfer(Task<IperfResult> transfer) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await transfer.ContinueWith(_ => { }, TaskScheduler.Default);
}

/// <summary>Runs iperf3 through the tunnel: server in B, client in A (each in its namespace).</summary>
internal static class Iperf
{
    public const string Path = "/usr/bin/iperf3";

    /// <summary>One TCP transfer from A to B; <paramref name="arguments"/> say how much (<c>-n 30M</c>, <c>-t 6</c>).</summary>
    public static Task<IperfResult> TcpAsync(NamespaceTopology topology, string target, params string[] arguments) =>
        TcpAsync(topology.B, topology.A, target, 5201, arguments);

    /// <summary>One TCP transfer from a client in <paramref name="clientNamespace"/> to a server in <paramref name="serverNamespace"/> on <paramref name="port"/>.</summary>
    public static async Task<IperfResult> TcpAsync(string serverNamespace, string clientNamespace, string target, int port, params string[] arguments)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        using var server = ProcessRunner.Start("ip", ["netns", "exec", serverNamespace, Path, "-s", "-1", "-p", portText]);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await Task.Delay(200);
                var result = await ProcessRunner.RunAsync("ip", ["netns", "exec", clientNamespace, Path, "-c", target, "-p", portText, "-J", .. arguments], timeout: TimeSpan.FromSeconds(90));
                var parsed = Parse(result);
                if (parsed.Error?.Contains("Connection refused", StringComparison.Ordinal) == true && attempt < 10)
                {
                    continue; // the server was not listening yet
                }

                return parsed;
            }
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            await server.WaitForExitAsync();
        }
    }

    /// <summary>Starts a transfer in the background.</summary>
    public static Task<IperfResult> StartTcp(NamespaceTopology topology, string target, params string[] arguments) =>
        Task.Run(() => TcpAsync(topology, target, arguments));

    private static IperfResult Parse(ProcessResult result)
    {
        try
        {
            using var document = JsonDocument.Parse(result.Output);
            var root = document.RootElement;
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            if (!root.TryGetProperty("end", out var end) || !end.TryGetProperty("sum_received", out var received))
            {
                return new IperfResult(result.ExitCode, error ?? "no summary", 0, 0, 0, 0, result.Output);
            }

            var sent = end.GetProperty("sum_sent");
            return new IperfResult(
                result.ExitCode,
                error,
                (long)sent.GetProperty("bytes").GetDouble(),
                (long)received.GetProperty("bytes").GetDouble(),
                sent.TryGetProperty("retransmits", out var r) ? r.GetInt64() : 0,
                received.GetProperty("bits_per_second").GetDouble(),
                result.Output);
        }
        catch (JsonException)
        {
            return new IperfResult(result.ExitCode, $"unparsable output: {result.Error} {result.Output}".Trim(), 0, 0, 0, 0, result.Output);
        }
    }
}

/// <summary>Samples a value over time, for "when did it stop changing" questions.</summary>
internal sealed class Sampler<T>(Func<T> read, TimeSpan period)
{
    private readonly List<(TimeSpan At, T Value)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyList<(TimeSpan At, T Value)> Samples => _samples;

    public TimeSpan Now => _clock.Elapsed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _samples.Add((_clock.Elapsed, read()));
            try
            {
                await Task.Delay(period, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override string ToString() => string.Join(", ", _samples.Select(s => $"{s.At.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}ms={s.Value}"));
}
