using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Reconciliation;

/// <summary>
/// Issue 10 ("Adopting devices it did not create"), with real kernel state in a namespace: a persistent TUN device
/// <c>str0</c> that someone else made (<c>ip tuntap add</c>) with an address of its own, and a striper link of that
/// name. Without <c>adopt</c> the agent refuses it and leaves the device alone; with it, removing the link releases
/// the device (Fleet's address gone, the owner's back) instead of deleting it. A removal runs inside commit-confirm:
/// unconfirmed, the link is put back.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class DeviceAdoptionTests
{
    private const string ForeignAddress = "10.80.0.1/24";
    private const string SpecAddress = "10.81.0.1/30";
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000a01");

    [Fact]
    public async Task Apply_NameOfATunDeviceFleetDidNotCreate_FailedWithTheReasonAndDeviceUntouched()
    {
        await using var host = await StriperHost.CreateAsync(foreignTun: true);

        await host.Reconciler.ApplyAsync(new DesiredLink(s_link, 1, Spec(adopt: false)));

        var state = host.Reconciler.CurrentStates().Single();
        Assert.True(state.Phase == LinkPhase.Failed, $"{state.Phase}: {state.Error}");
        Assert.Contains("Fleet did not create", state.Error, StringComparison.Ordinal);
        Assert.Contains("adopt", state.Error, StringComparison.Ordinal);
        Assert.Null(host.Striper.EngineFor("str0"));
        var addresses = await host.AddressesAsync();
        Assert.Contains(ForeignAddress, addresses);
        Assert.DoesNotContain(SpecAddress, addresses);
    }

    [Fact]
    public async Task Remove_AdoptedTunDevice_ReleasedWithItsOwnAddressNotDeleted()
    {
        await using var host = await StriperHost.CreateAsync(foreignTun: true);
        var reconciler = host.Reconciler;
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Spec(adopt: true)));
        var applying = reconciler.CurrentStates().Single();
        Assert.True(applying.AwaitingConfirm, $"{applying.Phase}: {applying.Error}");
        Assert.Contains(SpecAddress, await host.AddressesAsync());
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        await reconciler.RemoveAsync(s_link);
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));

        Assert.Empty(reconciler.CurrentStates());
        Assert.Null(host.Striper.EngineFor("str0"));
        var addresses = await host.AddressesAsync();
        Assert.Contains(ForeignAddress, addresses);
        Assert.DoesNotContain(SpecAddress, addresses);
    }

    [Fact]
    public async Task Remove_ConfirmationWithheld_LinkIsPutBack()
    {
        await using var host = await StriperHost.CreateAsync(foreignTun: false);
        var reconciler = host.Reconciler;
        await reconciler.ApplyAsync(new DesiredLink(s_link, 1, Spec(adopt: false)));
        await reconciler.ConfirmAsync(new LinkConfirmation(s_link, 1));
        Assert.Contains(SpecAddress, await host.AddressesAsync());

        await reconciler.RemoveAsync(s_link);
        var removing = Assert.Single(reconciler.CurrentStates());
        Assert.True(removing.Removing && removing.AwaitingConfirm, $"{removing.Phase}: {removing.Error}");
        Assert.Null(host.Striper.EngineFor("str0"));
        host.Time.Advance(TimeSpan.FromSeconds(6));
        await reconciler.DrainAsync();

        var state = Assert.Single(reconciler.CurrentStates());
        Assert.True(state.Phase == LinkPhase.RolledBack, $"{state.Phase}: {state.Error}");
        Assert.False(state.Removing);
        Assert.Contains("removal", state.Error, StringComparison.Ordinal);
        Assert.NotNull(host.Striper.EngineFor("str0"));
        Assert.Contains(SpecAddress, await host.AddressesAsync());
    }

    private static LinkSpec Spec(bool adopt) => new()
    {
        Kind = LinkKind.Striper,
        Name = "str0",
        Members = [new MemberSpec { Interface = "e0", Peer = "10.79.0.1:7000" }],
        Addresses = [SpecAddress],
        ConfirmTimeoutSeconds = 5,
        Adopt = adopt,
        Striper = new StriperOptions { Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()) },
    };

    /// <summary>
    /// A host namespace with an uplink <c>e0</c> to a gateway namespace, a striper backend and a reconciler acting in
    /// it (manual clock for deadlines); with <c>foreignTun</c>, a persistent TUN <c>str0</c> made by "someone else", up,
    /// with an address of its own.
    /// </summary>
    private sealed class StriperHost : IAsyncDisposable
    {
        private readonly TestNetwork _network;
        private readonly string _host;

        private StriperHost(TestNetwork network, string host)
        {
            _network = network;
            _host = host;
            Striper = new StriperBackend(network.Context(host), TimeProvider.System, NullLogger<StriperBackend>.Instance);
            Reconciler = HostReconciler.Create(network.Context(host), [Striper], Time);
        }

        public FakeTimeProvider Time { get; } = new();

        public StriperBackend Striper { get; }

        public Reconciler Reconciler { get; }

        public static async Task<StriperHost> CreateAsync(bool foreignTun)
        {
            Privileged.Require("network namespaces and TUN");
            var network = TestNetwork.Create("ad");
            try
            {
                var host = await network.AddNamespaceAsync("h");
                var gateway = await network.AddNamespaceAsync("g");
                await network.AddVethAsync(host, "e0", gateway, "g0");
                if (foreignTun)
                {
                    await network.InAsync(host, "ip", "tuntap", "add", "mode", "tun", "name", "str0");
                    await network.AddAddressAsync(host, "str0", ForeignAddress);
                    await network.InAsync(host, "ip", "link", "set", "str0", "up");
                }

                return new StriperHost(network, host);
            }
            catch
            {
                await network.DisposeAsync();
                throw;
            }
        }

        public async Task<string> AddressesAsync() => (await _network.InAsync(_host, "ip", "-br", "addr", "show", "dev", "str0")).StandardOutput;

        public async ValueTask DisposeAsync()
        {
            Reconciler.Dispose();
            Striper.Dispose();
            await _network.DisposeAsync();
        }
    }
}
