using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Striper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Agent.Backends.Aggregator;

/// <summary>Registers the aggregator backend acting in the agent's own network namespace.</summary>
public static class AggregatorBackendServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AggregatorBackend"/> as a singleton, also as <see cref="ILinkBackend"/>, with the host's
    /// <see cref="KernelContext"/> (registrations already present are kept).
    /// </summary>
    public static IServiceCollection AddAggregatorBackend(this IServiceCollection services)
    {
        services.AddHostedEngineServices();
        services.TryAddSingleton<AggregatorBackend>();
        services.AddSingleton<ILinkBackend>(sp => sp.GetRequiredService<AggregatorBackend>());
        return services;
    }
}
