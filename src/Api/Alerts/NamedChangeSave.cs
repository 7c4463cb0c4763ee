using Fleet.Api.Common;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts;

/// <summary>
/// Saves a change to a named, versioned alert resource (a custom rule, a receiver) and turns the two ways it can lose a
/// race into refusals: another change saved first (stale), another caller creating the same name (the unique index).
/// </summary>
public static class NamedChangeSave
{
    /// <summary>Saves <paramref name="entity"/>'s change; <paramref name="what"/> names the resource in the refusal's sentence ("rule", "receiver").</summary>
    public static async Task<CommandResult<T>> SaveAsync<T>(FleetDbContext db, T entity, string what, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new CommandRefusal(RefusalKind.Stale, $"The {what} changed while this change was being saved; read it again.");
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Two callers creating one name at once: the unique index decides.
            return CommandRefusal.Conflict($"Another {what} has this name.", "name");
        }

        return entity;
    }
}
