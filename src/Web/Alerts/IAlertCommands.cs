using Fleet.Contracts.Rest;

namespace Fleet.Web.Alerts;

/// <summary>
/// Acknowledges alerts, creates and ends silences, and creates and deletes custom rules as the signed-in user, through
/// the same commands as REST (<c>POST /api/v1/alerts/{id}/ack</c>, <c>/api/v1/silences</c>, <c>/api/v1/alert-rules</c>).
/// Callers check the operator role; implementations check it again.
/// </summary>
public interface IAlertCommands
{
    /// <summary>Acknowledges an alert (again: nothing changes).</summary>
    Task<AlertCommandResult> AcknowledgeAsync(Guid alertId, CancellationToken cancellationToken);

    /// <summary>Silences <paramref name="request"/>'s scope from now on for its duration.</summary>
    Task<AlertCommandResult> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken);

    /// <summary>Ends a silence now (deletes it).</summary>
    Task<AlertCommandResult> DeleteSilenceAsync(Guid silenceId, CancellationToken cancellationToken);

    /// <summary>Creates a custom rule (<c>POST /api/v1/alert-rules</c>), its host or link named rather than by id.</summary>
    Task<AlertCommandResult> CreateRuleAsync(RuleDraft draft, CancellationToken cancellationToken);

    /// <summary>Deletes a custom rule (<c>DELETE /api/v1/alert-rules/{id}</c>).</summary>
    Task<AlertCommandResult> DeleteRuleAsync(Guid ruleId, CancellationToken cancellationToken);
}

/// <summary>A silence to create, starting now. Null scope fields match anything; at least one must be set.</summary>
public sealed record SilenceRequest(Guid? HostId, Guid? LinkId, string? Member, AlertRule? Rule, TimeSpan Duration, string Reason);

/// <summary>Outcome of an alert command.</summary>
/// <param name="Errors">Field name → messages (a refusal under the empty field); empty when it succeeded.</param>
public sealed record AlertCommandResult(IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>Whether the command succeeded.</summary>
    public bool Succeeded => Errors.Count == 0;

    /// <summary>A success.</summary>
    public static AlertCommandResult Ok { get; } = new(new Dictionary<string, string[]>());

    /// <summary>A failure with one message, under <paramref name="field"/> (empty: not about one field).</summary>
    public static AlertCommandResult Error(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
