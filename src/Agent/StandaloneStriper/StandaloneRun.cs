using System.Runtime.InteropServices;
using System.Text.Json;
using Fleet.Contracts.Json;

namespace Fleet.Agent.StandaloneStriper;

/// <summary>What the standalone striper commands do once their endpoint runs: reload on SIGHUP, print counters, stop on SIGINT/SIGTERM.</summary>
internal static class StandaloneRun
{
    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled (System.CommandLine cancels it on SIGINT and
    /// SIGTERM); SIGHUP calls <paramref name="reload"/>; with <paramref name="statsIntervalMs"/> &gt; 0 prints
    /// <paramref name="snapshot"/> as one JSON line per interval and once more at the end.
    /// </summary>
    public static async Task UntilStoppedAsync(Func<object> snapshot, int statsIntervalMs, Action reload, CancellationToken cancellationToken)
    {
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reload();
        });

        await Console.Out.FlushAsync(cancellationToken);
        try
        {
            if (statsIntervalMs > 0)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(statsIntervalMs));
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(snapshot(), FleetJson.Options));
                    await Console.Out.FlushAsync(cancellationToken);
                }
            }
            else
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Interrupted: stop cleanly.
        }

        if (statsIntervalMs > 0)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(snapshot(), FleetJson.Options));
        }
    }
}
