using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Mptcp;
using Fleet.Agent.Backends.Teql;
using Fleet.Agent.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Agent.Backends;

/// <summary>Registers the kernel link backends (bond, teql, mptcp) acting in the agent's own network namespace.</summary>
public static class KernelBackendsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="BondBackend"/>, <see cref="TeqlBackend"/> and <see cref="MptcpBackend"/> as singletons, each also
    /// as <see cref="ILinkBackend"/> and <see cref="ILinkEventSource"/>, with what they need (<see cref="KernelContext"/>
    /// of the host, <see cref="KernelFeatures"/>, <see cref="ICommandRunner"/>, <see cref="ICommandStreamer"/>,
    /// <see cref="TimeProvider"/>), and the <see cref="IHostState"/> a rollback restores; registrations already present are kept.
    /// </summary>
    public static IServiceCollection AddKernelLinkBackends(this IServiceCollection services)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICommandRunner, CommandRunner>();
        services.TryAddSingleton<ICommandStreamer, ProcessCommandStreamer>();
        services.TryAddSingleton(_ => new KernelFeatures());
        services.TryAddSingleton(sp => KernelContext.Host(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<ICommandStreamer>()));
        services.TryAddSingleton(sp => new MptcpizeDropIns(sp.GetRequiredService<ICommandRunner>()));
        services.TryAddSingleton<IHostState>(sp => new KernelHostState(sp.GetRequiredService<KernelContext>()));

        services.TryAddSingleton<BondBackend>();
        services.TryAddSingleton<TeqlBackend>();
        services.TryAddSingleton<MptcpBackend>();
        services.AddSingleton<ILinkBackend>(sp => sp.GetRequiredService<BondBackend>());
        services.AddSingleton<ILinkBackend>(sp => sp.GetRequiredService<TeqlBackend>());
        services.AddSingleton<ILinkBackend>(sp => sp.GetRequiredService<MptcpBackend>());
        services.AddSingleton<ILinkEventSource>(sp => sp.GetRequiredService<BondBackend>());
        services.AddSingleton<ILinkEventSource>(sp => sp.GetRequiredService<TeqlBackend>());
        services.AddSingleton<ILinkEventSource>(sp => sp.GetRequiredService<MptcpBackend>());
        return services;
    }
}
