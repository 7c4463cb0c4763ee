using Fleet.Api.Data;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Users;

/// <summary>
/// One enabled admin always remains. Checking and then writing is a race: two requests that each take away one of
/// the last two admins would both see the other one and both commit. So the check runs inside the caller's
/// transaction and holds the enabled admins until it commits: on PostgreSQL <c>SELECT … FOR UPDATE</c> locks their
/// rows (a second request waits, then sees the first one's change); on SQLite the transaction itself holds the
/// database's write lock from its start (Microsoft.Data.Sqlite begins <c>IMMEDIATE</c>), which serialises writers.
/// <see cref="UserCommands"/> calls this, for every door (REST and the dashboard's settings).
/// </summary>
public static class LastAdminRule
{
    /// <summary>Why a change is refused.</summary>
    public const string Refusal = "This is the last enabled admin; make another admin first.";

    /// <summary>
    /// True when an enabled admin other than <paramref name="userId"/> exists. Call it inside the transaction that
    /// then demotes, disables or deletes <paramref name="userId"/>, before writing.
    /// </summary>
    public static async Task<bool> AnotherEnabledAdminAsync(FleetDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("the last-admin check must run inside the transaction that writes the change");
        }

        var admin = FleetRole.Admin.ToString();
        if (db.Database.IsNpgsql())
        {
            var admins = await db.Database
                .SqlQuery<Guid>($"SELECT id AS \"Value\" FROM users WHERE role = {admin} AND disabled_at IS NULL ORDER BY id FOR UPDATE")
                .ToListAsync(cancellationToken);
            return admins.Any(id => id != userId);
        }

        return await db.Users.AnyAsync(u => u.Id != userId && u.Role == FleetRole.Admin && u.DisabledAt == null, cancellationToken);
    }

    /// <summary>Whether changing a user from (<paramref name="role"/>, <paramref name="disabled"/>) takes an enabled admin away.</summary>
    public static bool TakesAnAdminAway(FleetRole role, bool disabled, FleetRole? newRole, bool? disable, bool delete) =>
        role == FleetRole.Admin && !disabled
        && (delete || (newRole is { } r && r != FleetRole.Admin) || disable == true);
}
