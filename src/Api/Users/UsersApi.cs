using System.Security.Claims;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Users;

/// <summary>Local dashboard users (admin only). The last enabled admin cannot be demoted, disabled or deleted.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(FleetPolicies.Admin);
        users.MapGet("", ListAsync).WithName("ListUsers").WithSummary("List users.");
        users.MapPost("", CreateAsync).WithName("CreateUser").ProducesProblems(StatusCodes.Status409Conflict).WithSummary("Create a user with a password and role.");
        users.MapGet("/{id:guid}", GetAsync).WithName("GetUser").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get a user.");
        users.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateUser").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Change a user's role or password, or disable/enable them; signs them out everywhere.");
        users.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteUser").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict).WithSummary("Delete a user.");
        return api;
    }

    internal static UserDto ToDto(UserEntity u) => new()
    {
        Id = u.Id,
        UserName = u.UserName,
        Role = u.Role,
        CreatedAt = u.CreatedAt,
        DisabledAt = u.DisabledAt,
        LastLoginAt = u.LastLoginAt,
    };

    private static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> ListAsync(
        string? cursor, int? limit, FleetDbContext db, IOptions<FleetOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (Paging.Parse(cursor, limit, options.Value.Limits, errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Users.AsNoTracking();
        if (page.Cursor is { } after)
        {
            query = query.Where(u => u.Id.CompareTo(after) > 0);
        }

        var rows = await query.OrderBy(u => u.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, u => u.Id, ToDto));
    }

    private static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, ClaimsPrincipal user, FleetDbContext db, IPasswordHasher<UserEntity> hasher, AuditLog audit,
        TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var userName = request.UserName?.ToLowerInvariant() ?? "";
        if (!IsValidUserName(userName))
        {
            errors["userName"] = ["must be 1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"];
        }

        CheckPassword(request.Password, errors);
        if (!FleetRoles.IsUserRole(request.Role))
        {
            errors["role"] = [$"must be {FleetRoles.UserRolesText}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Users.AnyAsync(u => u.UserName == userName, cancellationToken))
        {
            return Problems.Conflict($"A user named '{userName}' exists.");
        }

        var created = new UserEntity
        {
            Id = Guid.CreateVersion7(),
            UserName = userName,
            PasswordHash = "",
            Role = request.Role,
            SecurityStamp = NewStamp(),
            CreatedAt = timeProvider.GetUtcNow().UtcDateTime,
        };
        created.PasswordHash = hasher.HashPassword(created, request.Password);
        db.Users.Add(created);
        audit.Record(user, "user.create", "user", created.Id, before: null, after: ToDto(created));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return Problems.Conflict($"A user named '{userName}' exists.");
        }

        return TypedResults.Created($"/api/v1/users/{created.Id}", ToDto(created));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var found = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        return found is null ? Problems.NotFound($"User {id}") : TypedResults.Ok(ToDto(found));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, ClaimsPrincipal user, FleetDbContext db, IPasswordHasher<UserEntity> hasher, AuditLog audit,
        HubSessions hubs, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Password is not null)
        {
            CheckPassword(request.Password, errors);
        }

        if (request.Role is { } role && !FleetRoles.IsUserRole(role))
        {
            errors["role"] = [$"must be {FleetRoles.UserRolesText}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (target is null)
        {
            return Problems.NotFound($"User {id}");
        }

        if (LastAdminRule.TakesAnAdminAway(target.Role, target.DisabledAt is not null, request.Role, request.Disabled, delete: false)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, target.Id, cancellationToken))
        {
            return Problems.Conflict(LastAdminRule.Refusal);
        }

        var before = ToDto(target);
        if (request.Role is { } changedRole)
        {
            target.Role = changedRole;
        }

        if (request.Password is not null)
        {
            target.PasswordHash = hasher.HashPassword(target, request.Password);
        }

        if (request.Disabled is { } disabled)
        {
            target.DisabledAt = disabled ? target.DisabledAt ?? timeProvider.GetUtcNow().UtcDateTime : null;
        }

        if (db.ChangeTracker.HasChanges())
        {
            target.SecurityStamp = NewStamp();
            audit.Record(user, "user.update", "user", target.Id, before, new { user = ToDto(target), passwordChanged = request.Password is not null });
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return TypedResults.Ok(ToDto(target));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, HubSessions hubs, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (target is null)
        {
            return Problems.NotFound($"User {id}");
        }

        if (LastAdminRule.TakesAnAdminAway(target.Role, target.DisabledAt is not null, newRole: null, disable: null, delete: true)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, target.Id, cancellationToken))
        {
            return Problems.Conflict(LastAdminRule.Refusal);
        }

        db.Users.Remove(target);
        audit.Record(user, "user.delete", "user", target.Id, ToDto(target), after: null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return TypedResults.NoContent();
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

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
