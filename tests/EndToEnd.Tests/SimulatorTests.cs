using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary><c>fleet-agent simulate</c> against the real Api: N hosts, each enrolled with its own credential, on one process.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class SimulatorTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Simulate_ThreeHosts_EnrollApplySpecsAndReportUntilSigterm()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres);
        var token = await fleet.Rest.CreateEnrollmentTokenAsync(maxUses: 3);
        var simulator = fleet.NewAgent();
        simulator.Start(["simulate", "--server", fleet.Api.BaseAddress.ToString(), "--token", token, "--agents", "3", "--members", "2", "--name-prefix", "e2esim", "--stats-every", "2s", "--data-dir", simulator.DataDirectory, .. AgentProcess.InsecureHttp(fleet.Api.BaseAddress)]);

        // Three hosts, each its own enrollment (the token's three uses), each saying hello over its own connection.
        List<HostDto> hosts = [];
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await fleet.Rest.Http.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts?limit=100", FleetJson.Options, TestContext.Current.CancellationToken);
                hosts = [.. page!.Items.Where(h => h.Name.StartsWith("e2esim-", StringComparison.Ordinal))];
                return hosts.Count == 3 && hosts.All(h => h.AgentVersion is not null);
            },
            "three simulated hosts connected",
            detail: fleet.Diagnostics);
        Assert.Equal(["e2esim-001", "e2esim-002", "e2esim-003"], hosts.Select(h => h.Name).Order());
        Assert.Equal(3, hosts.Select(h => h.Id).Distinct().Count());

        // Links for the simulated hosts are applied through the in-memory backend (with commit-confirm), then reported.
        var links = new List<LinkDto>();
        foreach (var host in hosts)
        {
            links.Add(await fleet.Rest.CreateLinkAsync(host.Id, E2ESpecs.Bond()));
        }

        foreach (var link in links)
        {
            await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "simulated link applied");
            await Eventually.TrueAsync(
                async () => await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l AND member = 'eth1'", ("l", link.Id)) >= 2,
                "samples of every simulated host stored",
                detail: fleet.Diagnostics);
        }

        // SIGTERM: the simulator stops cleanly and prints its totals as the last line.
        Assert.Equal(0, await simulator.TerminateAsync(TimeSpan.FromSeconds(30)));
        var last = simulator.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        using var stats = JsonDocument.Parse(last);
        Assert.Equal(3, stats.RootElement.GetProperty("agents").GetInt32());
        Assert.True(stats.RootElement.GetProperty("samplesProduced").GetInt64() >= 6, last);
        foreach (var link in links)
        {
            // Each host's batches: sequences 1..N, every declared sample stored, none twice.
            var sequences = await fleet.Database.ListAsync("SELECT sequence FROM ingested_batches WHERE host_id = @h ORDER BY sequence", r => r.GetInt64(0), ("h", link.HostId));
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
            var declared = await fleet.Database.ScalarAsync<long>("SELECT COALESCE(SUM(sample_count), 0)::bigint FROM ingested_batches WHERE host_id = @h", ("h", link.HostId));
            Assert.Equal(declared, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE link_id = @l", ("l", link.Id)));
            Assert.Equal(0, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM samples WHERE link_id = @l GROUP BY member, time HAVING count(*) > 1) d", ("l", link.Id)));
        }
    }
}
