using System.Diagnostics;
using System.Net;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Backends.Mptcp;
using Fleet.Agent.Processes;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Mptcp;

/// <summary>
/// MPTCP for real on the build machine's kernel: two namespaces joined by two veth paths, the backend in each, and an
/// MPTCP transfer (<c>mptcpize run iperf3</c>) between them.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class MptcpBackendTests(ITestOutputHelper output)
{
    private const string ServerAddress = "10.63.1.2";

    [Fact]
    public async Task Apply_TwoPathsBothEnds_TransferUsesBothPathsAndBackupMemberShiftsTraffic()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("mp");
        var client = topology.ClientSpec();
        var server = topology.ServerSpec();
        Assert.Empty(LinkSpecValidator.Validate(client));
        Assert.Empty(LinkSpecValidator.Validate(server));

        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        Assert.True((await topology.Server.ApplyAsync(null, server, Token)).Succeeded);

        var applied = await topology.Client.ObserveMptcpAsync(client, Token);
        Assert.True(applied.Enabled);
        Assert.Equal(new MptcpLimits(2, 2), applied.Limits);
        Assert.Null(applied.Link.Drift);
        Assert.Equal(MptcpEndpointFlags.Signal, applied.Member("a1").Endpoint!.Flags);
        Assert.Equal(MptcpEndpointFlags.Signal, applied.Member("a2").Endpoint!.Flags);
        Assert.All(applied.Members, m => Assert.Equal(MemberHealth.Up, m.Health));

        // Both paths are shaped to 20 Mbit/s on the client's egress, so one path cannot carry the transfer alone.
        foreach (var device in new[] { "a1", "a2" })
        {
            await topology.Network.InAsync(topology.A, "tc", "qdisc", "add", "dev", device, "root", "tbf", "rate", "20mbit", "burst", "32kb", "latency", "50ms");
        }

        // Long enough to outlast the observations below even when each takes seconds on a loaded machine.
        var transfer = await topology.StartTransferAsync(seconds: 20);
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        var before1 = await topology.Client.ObserveMptcpAsync(client, Token);
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        var before2 = await topology.Client.ObserveMptcpAsync(client, Token);
        var (a1Both, a2Both) = (Sent(before1, before2, "a1"), Sent(before1, before2, "a2"));
        output.WriteLine($"both active: a1 {a1Both} B, a2 {a2Both} B");
        Assert.True(a1Both > 0.25 * (a1Both + a2Both) && a2Both > 0.25 * (a1Both + a2Both), $"both paths carry the transfer: a1 {a1Both} B, a2 {a2Both} B");
        Assert.True(before2.Member("a2").Subflows >= 1, $"a2 has a subflow: {before2.Member("a2").Detail}");
        Assert.True(before2.Member("a1").Subflows >= 1, $"a1 has a subflow: {before2.Member("a1").Detail}");
        Assert.Equal(0, before2.Member("a2").BackupSubflows);

        // Move a2 to backup while the transfer runs: the endpoint changes in place and MP_PRIO moves traffic to a1.
        var backup = client with { Members = [client.Members[0], client.Members[1] with { AdminState = MemberAdminState.Backup }] };
        Assert.True((await topology.Client.ApplyAsync(client, backup, Token)).Succeeded);
        var changed = await topology.Client.ObserveMptcpAsync(backup, Token);
        Assert.Equal(applied.Member("a2").Endpoint!.Id, changed.Member("a2").Endpoint!.Id);
        Assert.Equal(MptcpEndpointFlags.Signal | MptcpEndpointFlags.Backup, changed.Member("a2").Endpoint!.Flags);
        Assert.Null(changed.Link.Drift);

        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        var after1 = await topology.Client.ObserveMptcpAsync(backup, Token);
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        var after2 = await topology.Client.ObserveMptcpAsync(backup, Token);
        var (a1Backup, a2Backup) = (Sent(after1, after2, "a1"), Sent(after1, after2, "a2"));
        output.WriteLine($"a2 backup: a1 {a1Backup} B, a2 {a2Backup} B");
        Assert.True(a2Backup < 0.1 * (a1Backup + a2Backup), $"traffic left the backup member: a1 {a1Backup} B, a2 {a2Backup} B");
        Assert.True(a1Backup > 1_000_000, $"a1 carries the transfer: {a1Backup} B");
        // The subflow's backup flag is read from ss, so only while the connection lives: on a loaded machine the transfer
        // can end before the last observation, so any observation after the change that still saw the subflow counts.
        var observedAfterChange = new[] { changed, after1, after2 };
        Assert.True(
            observedAfterChange.Any(o => o.Member("a2").BackupSubflows >= 1),
            $"a2's subflow is a backup (transfer finished: {transfer.IsCompleted}): {string.Join(" | ", observedAfterChange.Select(o => o.Member("a2").Detail))}");

        var result = await transfer;
        Assert.True(result.Succeeded, $"iperf3 client: {result.Message}");

        // The monitor saw the member's subflow come up, and the kernel counted the joins and the priority change.
        var events = applied.Events.Concat(before1.Events).Concat(before2.Events).Concat(changed.Events).Concat(after1.Events).Concat(after2.Events).ToList();
        Assert.Contains(events, e => e.Type == "SF_ESTABLISHED" && Equals(e.LocalAddress, IPAddress.Parse("10.63.2.1")));
        Assert.True(after2.Counters.GetValueOrDefault("MPJoinSynAckRx") >= 1, "MPJoinSynAckRx counted");
        Assert.True(after2.Counters.GetValueOrDefault("MPPrioTx") >= 1, "MPPrioTx counted");

        Assert.True((await topology.Client.RemoveAsync(backup, Token)).Succeeded);
        Assert.True((await topology.Server.RemoveAsync(server, Token)).Succeeded);
        Assert.Empty((await topology.Client.ObserveMptcpAsync(backup, Token)).Endpoints);
        Assert.Empty((await topology.Server.ObserveMptcpAsync(server, Token)).Endpoints);
    }

    [Fact]
    public async Task Apply_DisabledMemberDuringTransfer_RemovesEndpointAndReportsClosedSubflow()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("mq");
        var client = topology.ClientSpec();
        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        Assert.True((await topology.Server.ApplyAsync(null, topology.ServerSpec(), Token)).Succeeded);

        var transfer = await topology.StartTransferAsync(seconds: 6, rate: "2M");
        var established = await WaitForAsync(topology.Client, client, o => o.Member("a2").Subflows >= 1, "a2 gets a subflow");
        var events = new List<MptcpEvent>(established.Events);

        var disabled = client with { Members = [client.Members[0], client.Members[1] with { AdminState = MemberAdminState.Disabled }] };
        Assert.True((await topology.Client.ApplyAsync(client, disabled, Token)).Succeeded);
        var closed = await WaitForAsync(topology.Client, disabled, o =>
        {
            events.AddRange(o.Events);
            return events.Any(e => e.Type == "SF_CLOSED" && Equals(e.LocalAddress, IPAddress.Parse("10.63.2.1")));
        }, "the monitor reports a2's subflow closed");

        Assert.Null(closed.Member("a2").Endpoint);
        Assert.Equal(0, closed.Member("a2").Subflows);
        Assert.Equal(MemberHealth.Down, closed.Member("a2").Health);
        Assert.Equal(MemberHealth.Up, closed.Member("a1").Health);
        Assert.Null(closed.Link.Drift);
        var memberEvents = topology.Client.TakeEvents(disabled);
        Assert.Contains(memberEvents, e => e.Kind == AgentEventKind.MemberDown && e.Member == "a2");

        Assert.True((await transfer).Succeeded, "the connection survives losing a member");
    }

    [Fact]
    public async Task Apply_SameSpecTwice_ChangesNothing()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("mi");
        var client = topology.ClientSpec();
        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        var first = await topology.Network.InAsync(topology.A, "ip", "-j", "mptcp", "endpoint", "show");
        Assert.True((await topology.Client.ApplyAsync(client, client, Token)).Succeeded);
        var second = await topology.Network.InAsync(topology.A, "ip", "-j", "mptcp", "endpoint", "show");

        Assert.Equal(first.StandardOutput, second.StandardOutput);
        Assert.Equal(2, MptcpEndpoint.ParseList(second.StandardOutput).Count);
    }

    [Fact]
    public async Task Apply_MemberAddressNotOnInterface_FailsWithoutChangingEndpoints()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("mf");
        var client = topology.ClientSpec();
        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        var before = await topology.Network.InAsync(topology.A, "ip", "-j", "mptcp", "endpoint", "show");

        var wrong = client with { Members = [client.Members[0] with { MptcpFlags = [MptcpEndpointFlag.Subflow] }, client.Members[1] with { Address = "10.63.9.9" }] };
        var result = await topology.Client.ApplyAsync(client, wrong, Token);

        Assert.False(result.Succeeded);
        Assert.Equal("10.63.9.9 is not an address of a2", result.Error);
        var after = await topology.Network.InAsync(topology.A, "ip", "-j", "mptcp", "endpoint", "show");
        Assert.Equal(before.StandardOutput, after.StandardOutput);
    }

    [Fact]
    public async Task Observe_EndpointDeletedByHand_ReportsDriftAndDegradedMember()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("md");
        var client = topology.ClientSpec();
        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        var observed = await topology.Client.ObserveMptcpAsync(client, Token);
        await topology.Network.InAsync(topology.A, "ip", "mptcp", "endpoint", "delete", "id", observed.Member("a2").Endpoint!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var drifted = await topology.Client.ObserveMptcpAsync(client, Token);

        Assert.Contains("no endpoint for a2 (10.63.2.1)", drifted.Link.Drift, StringComparison.Ordinal);
        Assert.Equal(MemberHealth.Degraded, drifted.Member("a2").Health);

        // Repair: applying the spec again restores the endpoint.
        Assert.True((await topology.Client.ApplyAsync(client, client, Token)).Succeeded);
        Assert.Null((await topology.Client.ObserveMptcpAsync(client, Token)).Link.Drift);
    }

    [Fact]
    public async Task Observe_MemberLinkDown_ReportsMemberDown()
    {
        RequireTools();
        await using var topology = await Topology.CreateAsync("ml");
        var client = topology.ClientSpec();
        Assert.True((await topology.Client.ApplyAsync(null, client, Token)).Succeeded);
        Assert.Equal(MemberHealth.Up, (await topology.Client.ObserveMptcpAsync(client, Token)).Member("a2").Health);

        await topology.Network.InAsync(topology.B, "ip", "link", "set", "b2", "down");
        var observed = await topology.Client.ObserveMptcpAsync(client, Token);

        Assert.Equal(MemberHealth.Down, observed.Member("a2").Health);
        Assert.Equal("no carrier", observed.Member("a2").Detail);
        Assert.Contains(topology.Client.TakeEvents(client), e => e.Kind == AgentEventKind.MemberDown && e.Member == "a2");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static void RequireTools()
    {
        Privileged.Require("network namespaces and MPTCP");
        Privileged.RequireTool("/usr/bin/mptcpize", "mptcpize");
        Privileged.RequireTool("/usr/bin/iperf3", "iperf3");
    }

    private static long Sent(MptcpObservation from, MptcpObservation to, string member) =>
        (long)(to.Member(member).Counters.TxBytes - from.Member(member).Counters.TxBytes);

    private static async Task<MptcpObservation> WaitForAsync(MptcpBackend backend, LinkSpec spec, Func<MptcpObservation, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var observation = await backend.ObserveMptcpAsync(spec, Token);
            if (condition(observation))
            {
                return observation;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting until {what}: {string.Join(" | ", observation.Members.Select(m => $"{m.Interface}: {m.Detail}"))}");
            await Task.Delay(200, Token);
        }
    }

    /// <summary>
    /// Client namespace A (a1 10.63.1.1, a2 10.63.2.1) and server namespace B (b1 10.63.1.2, b2 10.63.2.2), one veth
    /// per path. Endpoints are <c>signal</c> on both sides and the server accepts no ADD_ADDR, so each path carries
    /// exactly one subflow per connection (a <c>subflow</c> endpoint would add a second subflow from a2 to the
    /// server's first address, which an endpoint change does not mark as backup).
    /// </summary>
    private sealed class Topology : IAsyncDisposable
    {
        private Topology(TestNetwork network, string a, string b)
        {
            Network = network;
            A = a;
            B = b;
            var features = new KernelFeatures();
            var dropIns = new MptcpizeDropIns(network.Runner, Path.Combine(Path.GetTempPath(), "unused-" + network.Prefix), null, systemdRunning: false);
            Client = new MptcpBackend(network.Context(a), features, dropIns, TimeProvider.System, NullLogger<MptcpBackend>.Instance);
            Server = new MptcpBackend(network.Context(b), features, dropIns, TimeProvider.System, NullLogger<MptcpBackend>.Instance);
        }

        public TestNetwork Network { get; }

        public string A { get; }

        public string B { get; }

        public MptcpBackend Client { get; }

        public MptcpBackend Server { get; }

        public static async Task<Topology> CreateAsync(string kind)
        {
            var network = TestNetwork.Create(kind);
            try
            {
                var a = await network.AddNamespaceAsync("a");
                var b = await network.AddNamespaceAsync("b");
                await network.AddVethAsync(a, "a1", b, "b1");
                await network.AddVethAsync(a, "a2", b, "b2");
                await network.AddAddressAsync(a, "a1", "10.63.1.1/24");
                await network.AddAddressAsync(b, "b1", "10.63.1.2/24");
                await network.AddAddressAsync(a, "a2", "10.63.2.1/24");
                await network.AddAddressAsync(b, "b2", "10.63.2.2/24");
                return new Topology(network, a, b);
            }
            catch
            {
                await network.DisposeAsync();
                throw;
            }
        }

        public LinkSpec ClientSpec() => new()
        {
            Kind = LinkKind.Mptcp,
            Name = "mp0",
            Members =
            [
                new MemberSpec { Interface = "a1", MptcpFlags = [MptcpEndpointFlag.Signal] },
                new MemberSpec { Interface = "a2", MptcpFlags = [MptcpEndpointFlag.Signal] },
            ],
            Mptcp = new MptcpOptions { SubflowsLimit = 2, AddAddrAcceptedLimit = 2 },
        };

        public LinkSpec ServerSpec() => new()
        {
            Kind = LinkKind.Mptcp,
            Name = "mp0",
            Members =
            [
                new MemberSpec { Interface = "b1", MptcpFlags = [MptcpEndpointFlag.Signal] },
                new MemberSpec { Interface = "b2", MptcpFlags = [MptcpEndpointFlag.Signal] },
            ],
            Mptcp = new MptcpOptions { SubflowsLimit = 2, AddAddrAcceptedLimit = 0 },
        };

        /// <summary>Starts an MPTCP iperf3 server in B and a client in A; the task completes with the client's result.</summary>
        public async Task<Task<CommandResult>> StartTransferAsync(int seconds, string? rate = null)
        {
            var server = Network.Context(B).RunAsync("mptcpize", ["run", "iperf3", "-s", "-1", "-p", "5201"], TimeSpan.FromSeconds(seconds + 30), cancellationToken: Token);
            var clock = Stopwatch.StartNew();
            while (!(await Network.Context(B).RunAsync("ss", ["-HMln", "sport", "=", ":5201"], cancellationToken: Token)).StandardOutput.Contains("5201", StringComparison.Ordinal))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the MPTCP iperf3 server did not start listening");
                Assert.False(server.IsCompleted, $"the iperf3 server exited: {(server.IsCompleted ? server.Result.Message : "")}");
                await Task.Delay(100, Token);
            }

            string[] arguments = ["run", "iperf3", "-c", ServerAddress, "-p", "5201", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            if (rate is not null)
            {
                arguments = [.. arguments, "-b", rate];
            }

            var client = Network.Context(A).RunAsync("mptcpize", arguments, TimeSpan.FromSeconds(seconds + 30), cancellationToken: Token);
            return WaitBothAsync(client, server);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            await Network.DisposeAsync();
        }

        private static async Task<CommandResult> WaitBothAsync(Task<CommandResult> client, Task<CommandResult> server)
        {
            var result = await client;
            await server;
            return result;
        }
    }
}
