using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Api.Links;
using Fleet.Api.Metrics;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Security;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Agents;

/// <summary>
/// <c>/hubs/agent</c> (docs/architecture.md, "Agent ⇄ Api"). Only agent credentials pass (policy
/// <see cref="FleetPolicies.Agent"/>); the host comes from the credential's <see cref="FleetClaims.HostId"/> claim, so
/// an agent can speak only for its own host: a batch or state naming another host's link (or an unknown one) is
/// refused, logged and audited (rate-limited), samples of members the link does not have are not stored, and specs go
/// only to the host's own group. A host holds at most <see cref="AgentHubOptions.MaxConnectionsPerHost"/> connections.
/// <para>
/// A connection holds no database connection: every method takes a short-lived context from the pool (or hands its
/// work to a service that does) and returns it before it answers (issue 21).
/// </para>
/// </summary>
[Authorize(Policy = FleetPolicies.Agent)]
public sealed partial class AgentHub(
    SampleIngestion ingestion,
    LinkOwnership ownership,
    LinkStateRecorder states,
    AgentConnections connections,
    HostPresence presence,
    HostActivity activity,
    AgentAudit audit,
    BatchQueueTracker queues,
    LiveCounters liveCounters,
    StriperKeyProtection keys,
    SpeedTestReports speedTests,
    IDbContextFactory<FleetDbContext> contexts,
    IOptions<AgentHubOptions> options,
    TimeProvider time,
    ILogger<AgentHub> logger) : Hub<IAgentClient>, IAgentHub
{
    /// <summary>Most unknown (link, member) pairs named in a note or a refusal.</summary>
    private const int MaxNamedInReasons = 5;

    private Guid HostId => Context.User?.GetHostId() ?? throw new HubException("not an agent");

    public override async Task OnConnectedAsync()
    {
        var hostId = HostId;
        foreach (var replaced in connections.Add(hostId, Context, options.Value.MaxConnectionsPerHost))
        {
            LogReplaced(hostId, replaced.ConnectionId, Context.ConnectionId);
            replaced.Abort();
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, AgentConnections.Group(hostId));
        LogConnected(hostId, Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.User?.GetHostId() is { } hostId)
        {
            connections.Remove(hostId, Context.ConnectionId);
            await presence.DisconnectedAsync(hostId, Context);
            LogDisconnected(hostId, exception?.Message ?? "closed");
        }

        await base.OnDisconnectedAsync(exception);
    }

    public async Task<HelloResult> Hello(AgentHello hello)
    {
        var hostId = HostId;
        var cancellationToken = Context.ConnectionAborted;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        hello = await StoreInventoryAsync(db, hostId, hello, HostPresence.Connected(Context, time.GetUtcNow()), cancellationToken);
        var (hostname, agentVersion) = (hello.Hostname, hello.AgentVersion);

        // The desired state below leaves out every link deleted by now, and the agent removes what it has beyond it: a
        // removal that got lost on the way is no longer owed (PendingSpecResend). A link deleted after this statement is
        // not covered and keeps being owed.
        await db.Links
            .Where(l => l.HostId == hostId && l.DeletedAt != null && l.RemovalAcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RemovalAcknowledgedAt, UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime)), cancellationToken);
        var links = await db.Links.AsNoTracking()
            .Where(l => l.HostId == hostId && l.DeletedAt == null)
            .OrderBy(l => l.Id)
            .Select(l => new { l.Id, l.DesiredGeneration, l.Spec })
            .ToListAsync(cancellationToken);
        foreach (var link in links)
        {
            ownership.Remember(link.Id, hostId);
        }

        LogHello(hostId, AgentText.SingleLine(hostname, 64), AgentText.SingleLine(agentVersion, 32), links.Count);
        return new HelloResult(hostId, [.. links.Select(l => new DesiredLink(l.Id, l.DesiredGeneration, keys.FromStorage(l.Spec)))]);
    }

    public async Task ReportInventory(AgentHello inventory)
    {
        var hostId = HostId;
        var cancellationToken = Context.ConnectionAborted;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        inventory = await StoreInventoryAsync(db, hostId, inventory, connectedSince: null, cancellationToken);
        LogInventory(hostId, inventory.Interfaces.Count);
    }

    /// <summary>
    /// Keeps a hello's (or a later <see cref="ReportInventory"/>'s) inventory on the host's row, bounded; a hello also
    /// writes when its connection began. A decommissioned host's agent is refused and dropped.
    /// </summary>
    private async Task<AgentHello> StoreInventoryAsync(FleetDbContext db, Guid hostId, AgentHello? hello, DateTime? connectedSince, CancellationToken cancellationToken)
    {
        if (hello is null || string.IsNullOrWhiteSpace(hello.Hostname) || hello.Interfaces is null || hello.Capabilities is null)
        {
            throw new HubException("hello needs hostname, capabilities and interfaces");
        }

        var now = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        hello = HelloBounds.Bound(hello, out var trimmed);
        if (trimmed)
        {
            LogHelloTrimmed(hostId, hello.Interfaces.Count);
        }

        var bounded = hello;
        var updated = await db.Hosts
            .Where(h => h.Id == hostId && h.DecommissionedAt == null)
            .ExecuteUpdateAsync(
                s =>
                {
                    s.SetProperty(h => h.Hostname, bounded.Hostname)
                        .SetProperty(h => h.AgentVersion, bounded.AgentVersion)
                        .SetProperty(h => h.KernelVersion, bounded.KernelVersion)
                        .SetProperty(h => h.Capabilities, bounded.Capabilities)
                        .SetProperty(h => h.Interfaces, bounded.Interfaces)
                        .SetProperty(h => h.LastSeenAt, now);
                    if (connectedSince is not null)
                    {
                        s.SetProperty(h => h.ConnectedSince, connectedSince);
                    }
                },
                cancellationToken);
        if (updated == 0)
        {
            await audit.RejectedAsync(hostId, RejectedReport.Hello, "hello", "the host is decommissioned", null, cancellationToken);
            Context.Abort();
            throw new HubException("this host is decommissioned");
        }

        return hello;
    }

    public async Task<BatchAck> ReportBatch(SampleBatch batch)
    {
        var hostId = HostId;
        var cancellationToken = Context.ConnectionAborted;
        var problems = BatchValidator.Validate(batch, time.GetUtcNow());
        if (problems.Count > 0)
        {
            var reason = "invalid batch: " + string.Join("; ", problems);
            await audit.RejectedAsync(hostId, RejectedReport.Batch, $"batch {batch?.Sequence ?? 0}", reason, null, cancellationToken);
            return new BatchAck(batch?.Sequence ?? 0, Rejected: reason);
        }

        string? note = null;
        // The cache answers for nearly every batch; only a batch it cannot vouch for pays for the sets, the lookup and
        // the closures of the full check (in a method of its own so that the common path allocates none of them).
        if (!ownership.IsKnownOwnBatch(hostId, batch))
        {
            (var refused, batch, note) = await CheckLinksAsync(hostId, batch, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }
        }

        queues.Observe(hostId, batch.QueueId, batch.Sequence);
        if (batch.PendingBatches is { } pending)
        {
            liveCounters.SetQueueDepth(hostId, pending);
        }
        var ack = await ingestion.SubmitAsync(hostId, batch, cancellationToken);
        return note is null || ack.Rejected is not null ? ack : ack with { Note = note };
    }

    /// <summary>
    /// The full check of the links a batch names: refused when one is not this host's; samples of members their link
    /// does not have are taken out, and the note says so.
    /// </summary>
    private async Task<(BatchAck? Refused, SampleBatch Batch, string? Note)> CheckLinksAsync(Guid hostId, SampleBatch batch, CancellationToken cancellationToken)
    {
        var links = BatchValidator.LinksOf(batch);
        if (links.Count == 0)
        {
            return (null, batch, null);
        }

        var owners = await ownership.OwnersAsync(links, cancellationToken);
        var foreign = links.Where(id => !owners.TryGetValue(id, out var owner) || owner != hostId).ToList();
        if (foreign.Count > 0)
        {
            var reason = $"the batch names links that are not this host's: {string.Join(", ", foreign.Take(MaxNamedInReasons))}";
            await audit.RejectedAsync(hostId, RejectedReport.Batch, $"batch {batch.Sequence}", reason, new { sequence = batch.Sequence, links = foreign.Take(20) }, cancellationToken);
            return (new BatchAck(batch.Sequence, Rejected: reason), batch, null);
        }

        var nonMembers = await ownership.NonMembersAsync(batch.Samples, cancellationToken);
        if (nonMembers.Count == 0)
        {
            return (null, batch, null);
        }

        var note = $"{batch.Samples.Count(s => nonMembers.Contains((s.LinkId, s.Member)))} samples of members the link does not have were not stored: "
            + string.Join(", ", nonMembers.Take(MaxNamedInReasons).Select(m => $"{m.Member} of link {m.Link}"));
        await audit.RejectedAsync(hostId, RejectedReport.Batch, $"samples of batch {batch.Sequence}", note, new { sequence = batch.Sequence, members = nonMembers.Take(20).Select(m => new { link = m.Link, member = m.Member }) }, cancellationToken);
        return (null, batch with { Samples = [.. batch.Samples.Where(s => !nonMembers.Contains((s.LinkId, s.Member)))] }, note);
    }

    public async Task ReportLinkState(ObservedLinkState state)
    {
        // First, before any await: the hub starts an agent's invocations in arrival order, then runs them in parallel.
        var order = AgentConnections.NextReport(Context);
        var hostId = HostId;
        var cancellationToken = Context.ConnectionAborted;
        if (state is null || !Enum.IsDefined(state.Phase) || state.ObservedGeneration < 0 || state.TargetGeneration < 0)
        {
            throw new HubException("invalid link state");
        }

        activity.Seen(hostId);
        switch (await states.RecordAsync(hostId, state, order, cancellationToken))
        {
            case LinkStateOutcome.Forbidden:
                await audit.RejectedAsync(hostId, RejectedReport.State, $"state of link {state.LinkId}", "the link is not this host's", new { state.LinkId, state.Phase, state.TargetGeneration }, cancellationToken);
                throw new HubException($"link {state.LinkId} is not this host's");
            case LinkStateOutcome.Confirm:
                // Commit-confirm: this report came over the network state the new generation created, so the host can
                // still reach the Api. Answer on the same connection.
                await Clients.Caller.ConfirmLink(new LinkConfirmation(state.LinkId, state.TargetGeneration));
                LogConfirmed(hostId, state.LinkId, state.TargetGeneration);
                break;
        }
    }

    public async Task ReportSpeedTest(SpeedTestReport report)
    {
        var hostId = HostId;
        var cancellationToken = Context.ConnectionAborted;
        activity.Seen(hostId);
        switch (await speedTests.RecordAsync(hostId, report, cancellationToken))
        {
            case SpeedTestReportOutcome.Recorded:
                LogSpeedTest(hostId, report.TestId, report.Result.Error ?? "completed");
                break;
            case SpeedTestReportOutcome.Late:
                // Not the agent's fault: the Api stopped waiting (timed out) or heard it already.
                LogSpeedTest(hostId, report.TestId, "arrived after the test was closed; ignored");
                break;
            case SpeedTestReportOutcome.Invalid:
                await audit.RejectedAsync(hostId, RejectedReport.SpeedTest, $"speed test {report?.TestId}", "the report is not a valid result", null, cancellationToken);
                throw new HubException("invalid speed test report");
            case SpeedTestReportOutcome.Forbidden:
                await audit.RejectedAsync(hostId, RejectedReport.SpeedTest, $"speed test {report.TestId}", "the Api ordered no such test of this link from this host", new { report.TestId, report.LinkId }, cancellationToken);
                throw new HubException($"speed test {report.TestId} of link {report.LinkId} was not ordered from this host");
            default:
                throw new InvalidOperationException("unknown outcome");
        }
    }

    [LoggerMessage(EventId = 3059, Level = LogLevel.Information, Message = "Speed test {TestId} from host {HostId}: {Outcome}")]
    private partial void LogSpeedTest(Guid hostId, Guid testId, string outcome);

    [LoggerMessage(EventId = 3050, Level = LogLevel.Debug, Message = "Agent of host {HostId} connected ({ConnectionId})")]
    private partial void LogConnected(Guid hostId, string connectionId);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Debug, Message = "Agent of host {HostId} disconnected: {Reason}")]
    private partial void LogDisconnected(Guid hostId, string reason);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Information, Message = "Hello from host {HostId} ({Hostname}, agent {Version}): {Links} desired links")]
    private partial void LogHello(Guid hostId, string hostname, string version, int links);

    [LoggerMessage(EventId = 3057, Level = LogLevel.Debug, Message = "Inventory of host {HostId} updated ({Interfaces} interfaces)")]
    private partial void LogInventory(Guid hostId, int interfaces);

    [LoggerMessage(EventId = 3055, Level = LogLevel.Warning, Message = "Agent of host {HostId}: hello beyond the Api's bounds trimmed ({Interfaces} interfaces kept)")]
    private partial void LogHelloTrimmed(Guid hostId, int interfaces);

    [LoggerMessage(EventId = 3056, Level = LogLevel.Warning, Message = "Agent of host {HostId}: connection {Old} closed, replaced by {New} (connections per host are limited)")]
    private partial void LogReplaced(Guid hostId, string old, string @new);

    [LoggerMessage(EventId = 3054, Level = LogLevel.Debug, Message = "Confirmed generation {Generation} of link {LinkId} to host {HostId}")]
    private partial void LogConfirmed(Guid hostId, Guid linkId, long generation);
}
