using Fleet.Api.Audit;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Records what the agent hub refused (a report naming another host's link, an unknown link) in the audit log and
/// the log. Its own database context: a refusal is recorded although nothing else is written.
/// </summary>
public sealed partial class AgentAudit(IDbContextFactory<FleetDbContext> contexts, TimeProvider time, ILogger<AgentAudit> logger)
{
    /// <summary>Audit action of a refused agent report.</summary>
    public const string RejectedAction = "agent.report.rejected";

    public async Task RejectedAsync(Guid hostId, string what, string reason, object? detail, CancellationToken cancellationToken)
    {
        LogRejected(hostId, what, reason);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            new AuditLog(db, time).Record($"agent:{hostId}", RejectedAction, "host", hostId, before: null, after: new { what, reason, detail });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            LogAuditFailed(hostId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Agent of host {HostId}: {What} rejected: {Reason}")]
    private partial void LogRejected(Guid hostId, string what, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Agent of host {HostId}: recording a rejection in the audit log failed: {Error}")]
    private partial void LogAuditFailed(Guid hostId, string error);
}
