using Fleet.Agent.Backends.Aggregator;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Processes;
using Fleet.Contracts.Links;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Agent.Backends;

/// <summary>
/// Where link backends join the agent. Each backend adds exactly one line to <see cref="AddLinkBackends"/>; the
/// reconciler finds them through <see cref="LinkBackends"/> and the inventory reports their
/// <see cref="ILinkBackend.CheckAvailability"/> as the host's capabilities.
/// </summary>
public static class BackendRegistration
{
    /// <summary>Registers the backends that drive this host's kernel, the userspace striper and its aggregator.</summary>
    public static IServiceCollection AddLinkBackends(this IServiceCollection services)
    {
        services.TryAddSingleton<ICommandRunner, CommandRunner>();
        services.TryAddSingleton<LinkBackends>();

        services.AddKernelLinkBackends();
        services.AddStriperBackend();
        services.AddAggregatorBackend();

        return services;
    }

    /// <summary>
    /// Registers in-memory backends for every link kind, all driving <paramref name="host"/> instead of the kernel: for
    /// the simulator, <c>--demo</c>, and agents started with <c>run --simulated-host</c> in end-to-end tests.
    /// </summary>
    public static IServiceCollection AddSimulatedLinkBackends(this IServiceCollection services, SimulatedHost host)
    {
        services.TryAddSingleton<LinkBackends>();
        services.TryAddSingleton<IHostState, SimulatedHostState>();
        services.AddSingleton(host);
        foreach (var kind in Enum.GetValues<LinkKind>())
        {
            services.AddSingleton<ILinkBackend>(new InMemoryBackend(kind, host));
        }

        return services;
    }
}
