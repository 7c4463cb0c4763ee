using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Mptcp;
using Fleet.Contracts.Links;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Agent.Tests.Backends;

public sealed class KernelBackendsRegistrationTests
{
    [Fact]
    public async Task AddKernelLinkBackends_ServiceProvider_ResolvesOneBackendPerKernelKind()
    {
        await using var provider = new ServiceCollection().AddKernelLinkBackends().BuildServiceProvider(validateScopes: true);

        var backends = provider.GetServices<ILinkBackend>().ToList();
        var sources = provider.GetServices<ILinkEventSource>().ToList();

        Assert.Equal([LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp], backends.Select(b => b.Kind));
        Assert.Equal(backends.Cast<object>(), sources.Cast<object>());
        Assert.Same(provider.GetRequiredService<MptcpBackend>(), backends[2]);
        Assert.Null(provider.GetRequiredService<KernelContext>().Namespace);
        Assert.All(backends, b => Assert.NotNull(b.CheckAvailability()));
    }
}
