using Fleet.Contracts.Agents;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 21: a long-lived agent connection must not hold a database connection. Connections are authenticated once,
/// when the WebSocket request arrives; whatever that lookup used has to go back to the pool at once, or a fleet of
/// connected agents (or a reconnect storm) empties the pool and ingestion stalls for everyone.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class DatabaseConnectionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ConnectedAgents_MoreThanThePool_AllAuthenticateSayHelloAndStoreBatches()
    {
        const int pool = 3;
        const int agents = 12;
        await using var fleet = await FleetEnvironment.StartAsync(postgres, cs => cs + $";Maximum Pool Size={pool};Timeout=5");
        var hosts = await fleet.EnrollHostsAsync(agents, "pool");

        // Each connection stays open: with a request-scoped context behind its authentication, each would keep one
        // pooled connection checked out for its whole life, and the fourth could not authenticate.
        var connections = new List<HubConnection>();
        try
        {
            foreach (var (hostId, credential) in hosts)
            {
                var connection = await RawAgentConnection.ConnectAsync(fleet.Api.BaseAddress, credential);
                connections.Add(connection);
                var hello = await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), RawAgentConnection.Hello($"pool-{connections.Count}"), TestContext.Current.CancellationToken);
                Assert.Equal(hostId, hello.HostId);
            }

            for (var i = 0; i < connections.Count; i++)
            {
                var batch = new SampleBatch
                {
                    Sequence = 1,
                    Samples = [],
                    Events = [new AgentEvent { Time = DateTimeOffset.UtcNow, Kind = AgentEventKind.AgentStarted, Message = $"agent {i}" }],
                };
                var ack = await connections[i].InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, TestContext.Current.CancellationToken);
                Assert.Null(ack.Rejected);
            }

            Assert.Equal(agents, await fleet.Database.ScalarAsync<long>("SELECT count(*) FROM ingested_batches"));
            Assert.True(await ApiBackendsAsync(fleet) <= pool, $"the Api holds more pooled connections than its pool allows\n{fleet.Diagnostics()}");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>The Api's pooled connections to its database now (its ingest writer's connections and this one excluded).</summary>
    internal static Task<long> ApiBackendsAsync(FleetEnvironment fleet) =>
        fleet.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name NOT LIKE 'fleet-api %' AND backend_type = 'client backend'");
}
