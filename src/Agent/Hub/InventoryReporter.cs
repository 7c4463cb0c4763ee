using System.Text.Json;
using Fleet.Agent.Inventory;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Hub;

/// <summary>
/// Keeps the Api's copy of the host's inventory current within a connection: the hello carries it once, and this sends
/// it again (<see cref="IAgentHub.ReportInventory"/>) when it changed — checked every
/// <see cref="HubClientOptions.InventoryInterval"/>, and at once after the agent applied or removed a link
/// (<see cref="Nudge"/>), which is when the agent itself adds or deletes devices (a striper link's TUN device).
/// </summary>
internal sealed partial class InventoryReporter(IInventorySource inventory, TimeSpan interval, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _nudge = new(0, 1);

    /// <summary>Checks soon: the agent just changed the host.</summary>
    public void Nudge()
    {
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // A check is already due.
        }
    }

    /// <summary>
    /// Until <paramref name="cancellationToken"/> fires (the session ends): collects the inventory and sends it with
    /// <paramref name="send"/> whenever it differs from the last one the Api got, starting from the hello's.
    /// </summary>
    public async Task RunAsync(AgentHello hello, Func<AgentHello, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        var last = Fingerprint(hello);
        try
        {
            while (true)
            {
                await _nudge.WaitAsync(interval, cancellationToken);
                var current = await inventory.CollectAsync(cancellationToken);
                var fingerprint = Fingerprint(current);
                if (fingerprint == last)
                {
                    continue;
                }

                await send(current, cancellationToken);
                last = fingerprint;
                LogSent(current.Interfaces.Count);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (HubException ex)
        {
            // An Api from before ReportInventory: it keeps the hello's inventory until the next connect.
            LogRefused(ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is going away; the next hello carries the inventory.
            LogFailed(ex.Message);
        }
    }

    public void Dispose() => _nudge.Dispose();

    private static string Fingerprint(AgentHello hello) => JsonSerializer.Serialize(hello, FleetJson.Options);

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Inventory changed: sent it again ({Interfaces} interfaces)")]
    private partial void LogSent(int interfaces);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "The Api does not take inventory updates ({Error}); it has the inventory of the last connect")]
    private partial void LogRefused(string error);

    [LoggerMessage(EventId = 322, Level = LogLevel.Debug, Message = "Sending the inventory failed: {Error}")]
    private partial void LogFailed(string error);
}
