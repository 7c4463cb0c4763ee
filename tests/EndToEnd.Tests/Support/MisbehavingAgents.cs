using System.Diagnostics;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>Hand-made agents for load tests: one that resends a batch the database cannot store, one that times round trips.</summary>
internal static class MisbehavingAgents
{
    public static SampleBatch PoisonBatch(long sequence) => new()
    {
        Sequence = sequence,
        Samples = [],
        Events = [new AgentEvent { Time = DateTimeOffset.UtcNow, Kind = AgentEventKind.Drift, Severity = EventSeverity.Error, Message = "a\u0000b" }],
    };

    public static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>A misbehaving agent: sends its unstorable batch again and again, reconnecting whenever anything fails.</summary>
    public static async Task<long> ResendForeverAsync(Uri server, string credential, CancellationToken stop)
    {
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await RawAgentConnection.ConnectAsync(server, credential);
                await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("poison"), stop);
                while (!stop.IsCancellationRequested)
                {
                    sent++;
                    await connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), PoisonBatch(1), stop);
                    await Task.Delay(50, stop);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return sent;
    }

    /// <summary>A well-behaved agent that times each batch's round trip (sent → acknowledged as stored).</summary>
    public static async Task<List<TimeSpan>> ProbeAsync(Uri server, string credential, CancellationToken stop)
    {
        var roundTrips = new List<TimeSpan>();
        await using var connection = await RawAgentConnection.ConnectAsync(server, credential);
        await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello("probe"), stop);
        for (var sequence = 1L; !stop.IsCancellationRequested; sequence++)
        {
            var batch = new SampleBatch
            {
                Sequence = sequence,
                Samples = [],
                Events = [new AgentEvent { Time = DateTimeOffset.UtcNow, Kind = AgentEventKind.AgentStarted, Message = $"probe {sequence}" }],
            };
            var started = Stopwatch.GetTimestamp();
            BatchAck ack;
            try
            {
                ack = await connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Assert.Fail($"the probe's batch {sequence} failed: {ex.Message}");
                throw;
            }

            roundTrips.Add(Stopwatch.GetElapsedTime(started));
            Assert.Equal(new BatchAck(sequence), ack);
            await Task.Delay(200, CancellationToken.None);
        }

        return roundTrips;
    }
}
