using Fleet.Agent.Runtime;
using Microsoft.Extensions.Hosting;

namespace Fleet.Agent.Daemon;

/// <summary>Runs the agent's <see cref="AgentRuntime"/> for the lifetime of the host process.</summary>
public sealed class AgentDaemon(AgentRuntime runtime) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => runtime.RunAsync(stoppingToken);
}
