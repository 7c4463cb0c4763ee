using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Users;

/// <summary>
/// The one implementation of changing local users, for every door (REST <c>UsersApi</c>, the dashboard's settings):
/// create, update (role, password, disabled), delete. Admins only. Names are stored lower-case (login lower-cases what
/// it is given); the last enabled admin stays (<see cref="LastAdminRule"/>); a change signs the user out everywhere (a
/// new security stamp, and open hub connections are checked at once).
/// </summary>
public sealed class UserCommands(
    FleetDbContext db,
    AuditLog audit,
    IPasswordHasher<UserEntity> hasher,
    HubSessions hubs,
    TimeProvider clock)
{
    /// <summary>What a refused role is told.</summary>
    public const string RoleRule = "must be " + FleetRoles.UserRolesText;

    private const string ForbiddenText = "Only admins may manage users.";

    internal static UserDto ToDto(UserEntity u) => new()
    {
        Id = u.Id,
        UserName = u.UserName,
        Role = u.Role,
        CreatedAt = u.CreatedAt,
        DisabledAt = u.DisabledAt,
        LastLoginAt = u.LastLoginAt,
    };

    /// <summary>A new user; <paramref name="role"/> null stands for a role the door could not read.</summary>
    public async Task<CommandResult<UserEntity>> CreateAsync(Caller caller, string? userName, string? password, FleetRole? role, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = new Dictionary<string, string[]>();
        var name = userName?.ToLowerInvariant() ?? "";
        if (!IsValidUserName(name))
        {
            errors["userName"] = ["must be 1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"];
        }

        CheckPassword(password, errors);
        if (role is not { } fleetRole || !FleetRoles.IsUserRole(fleetRole))
        {
            errors["role"] = [RoleRule];
            fleetRole = default;
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        if (await db.Users.AnyAsync(u => u.UserName == name, cancellationToken))
        {
            return NameTaken(name);
        }

        var created = new UserEntity
        {
            Id = Guid.CreateVersion7(),
            UserName = name,
            PasswordHash = "",
            Role = fleetRole,
            SecurityStamp = NewStamp(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        created.PasswordHash = hasher.HashPassword(created, password!);
        db.Users.Add(created);
        audit.Record(caller.Actor, "user.create", "user", created.Id, before: null, after: ToDto(created));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return NameTaken(name);
        }

        return created;
    }

    /// <summary>Changes what is given (null: unchanged); with any change, the user's sessions end.</summary>
    public async Task<CommandResult<UserEntity>> UpdateAsync(
        Caller caller, Guid userId, FleetRole? role, string? password, bool? disabled, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = new Dictionary<string, string[]>();
        if (password is not null)
        {
            CheckPassword(password, errors);
        }

        if (role is { } newRole && !FleetRoles.IsUserRole(newRole))
        {
            errors["role"] = [RoleRule];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (target is null)
        {
            return UserNotFound(userId);
        }

        if (LastAdminRule.TakesAnAdminAway(target.Role, target.DisabledAt is not null, role, disabled, delete: false)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, target.Id, cancellationToken))
        {
            return CommandRefusal.Conflict(LastAdminRule.Refusal, role is { } r && r != FleetRole.Admin ? "role" : "disabled");
        }

        var before = ToDto(target);
        if (role is { } changedRole)
        {
            target.Role = changedRole;
        }

        if (password is not null)
        {
            target.PasswordHash = hasher.HashPassword(target, password);
        }

        if (disabled is { } disable)
        {
            target.DisabledAt = disable ? target.DisabledAt ?? clock.GetUtcNow().UtcDateTime : null;
        }

        if (db.ChangeTracker.HasChanges())
        {
            // Sessions carry the role: a new stamp signs the user out everywhere, so the change applies at once.
            target.SecurityStamp = NewStamp();
            audit.Record(caller.Actor, "user.update", "user", target.Id, before, new { user = ToDto(target), passwordChanged = password is not null });
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return target;
    }

    /// <summary>Deletes the user (not the last enabled admin); returns the deleted row.</summary>
    public async Task<CommandResult<UserEntity>> DeleteAsync(Caller caller, Guid userId, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (target is null)
        {
            return UserNotFound(userId);
        }

        if (LastAdminRule.TakesAnAdminAway(target.Role, target.DisabledAt is not null, newRole: null, disable: null, delete: true)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, target.Id, cancellationToken))
        {
            return CommandRefusal.Conflict(LastAdminRule.Refusal, "user");
        }

        db.Users.Remove(target);
        audit.Record(caller.Actor, "user.delete", "user", target.Id, ToDto(target), after: null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return target;
    }

    private static bool IsValidUserName(string name) =>
        name.Length is > 0 and <= UserEntity.UserNameMaxLength
        && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');

    private static void CheckPassword(string? password, Dictionary<string, string[]> errors)
    {
        if (password is null || password.Length < PasswordRules.MinLength || password.Length > PasswordRules.MaxLength)
        {
            errors["password"] = [$"must be {PasswordRules.MinLength} to {PasswordRules.MaxLength} characters"];
        }
    }

    private static CommandRefusal NameTaken(string name) => CommandRefusal.Conflict($"A user named '{name}' exists.", "userName");

    private static CommandRefusal UserNotFound(Guid id) => CommandRefusal.NotFound($"User {id}", "user");

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
