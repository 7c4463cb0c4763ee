using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Json;

namespace Fleet.Api.Audit;

/// <summary>
/// Adds audit entries to the request's <see cref="FleetDbContext"/>, so they are saved in the same transaction as the
/// change they describe (no change without its entry, no entry without its change). Before/after states are JSON with
/// secrets redacted.
/// </summary>
public sealed class AuditLog(FleetDbContext db, TimeProvider timeProvider)
{
    /// <summary>The actor of changes the Api makes on its own (bootstrap, retention).</summary>
    public const string SystemActor = "system";

    /// <summary>What replaces a secret in audit entries.</summary>
    public const string Redacted = "***";

    public void Record(ClaimsPrincipal principal, string action, string targetType, object? targetId, object? before, object? after) =>
        Record(principal.ToActor(), action, targetType, targetId, before, after);

    public void Record(string actor, string action, string targetType, object? targetId, object? before, object? after)
    {
        db.AuditLog.Add(new AuditEntryEntity
        {
            Id = Guid.CreateVersion7(),
            Time = timeProvider.GetUtcNow().UtcDateTime,
            Actor = actor.Length > 200 ? actor[..200] : actor,
            Action = action,
            TargetType = targetType,
            TargetId = targetId?.ToString(),
            Before = ToJson(before),
            After = ToJson(after),
        });
    }

    /// <summary>The state as JSON with secrets redacted: <c>striper.key</c> at any depth, and any secret-named property.</summary>
    public static string? ToJson(object? state)
    {
        if (state is null)
        {
            return null;
        }

        var node = JsonSerializer.SerializeToNode(state, state.GetType(), FleetJson.Options);
        Redact(node, parentName: null);
        return node?.ToJsonString(FleetJson.Options);
    }

    private static void Redact(JsonNode? node, string? parentName)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecret(parentName, name))
                    {
                        obj[name] = Redacted;
                    }
                    else
                    {
                        Redact(obj[name], name);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Redact(item, parentName);
                }

                break;
        }
    }

    private static bool IsSecret(string? parentName, string name) =>
        (string.Equals(parentName, "striper", StringComparison.OrdinalIgnoreCase) && string.Equals(name, "key", StringComparison.OrdinalIgnoreCase))
        || name.Equals("secret", StringComparison.OrdinalIgnoreCase)
        || name.Equals("secretHash", StringComparison.OrdinalIgnoreCase)
        || name.Equals("password", StringComparison.OrdinalIgnoreCase)
        || name.Equals("passwordHash", StringComparison.OrdinalIgnoreCase)
        || name.Equals("credential", StringComparison.OrdinalIgnoreCase);
}
