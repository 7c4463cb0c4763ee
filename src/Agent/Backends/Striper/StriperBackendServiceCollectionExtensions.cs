using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Agent.Backends.Striper;

/// <summary>Registers the striper backend acting in the agent's own network namespace.</summary>
public static class StriperBackendServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="StriperBackend"/> as a singleton, also as <see cref="ILinkBackend"/> and
    /// <see cref="ILinkEventSource"/>, with the host's <see cref="KernelContext"/> (registrations already present are kept).
    /// </summary>
    public static IServiceCollection AddStriperBackend(this IServiceCollection services)
    {
        services.AddHostedEngineServices();
        services.TryAddSingleton<StriperBackend>();
        services.AddSingleton<ILinkBackend>(sp => sp.GetRequiredService<StriperBackend>());
        services.AddSingleton<ILinkEventSource>(sp => sp.GetRequiredService<StriperBackend>());
        return services;
    }

    /// <summary>
    /// What a backend hosting striper endpoints needs (<see cref="HostedEngines{TEngine}"/>), if not registered yet:
    /// logging, <see cref="TimeProvider.System"/>, the command runner and streamer, and <see cref="KernelContext.Host"/>.
    /// </summary>
    internal static IServiceCollection AddHostedEngineServices(this IServiceCollection services)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICommandRunner, CommandRunner>();
        services.TryAddSingleton<ICommandStreamer, ProcessCommandStreamer>();
        services.TryAddSingleton(sp => KernelContext.Host(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<ICommandStreamer>()));
        return services;
    }
}
