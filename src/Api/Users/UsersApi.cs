using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Users;

/// <summary>
/// Local dashboard users (admin only). The last enabled admin cannot be demoted, disabled or deleted. Changes are
/// <see cref="UserCommands"/>' (shared with the dashboard's settings); these handlers map HTTP to them.
/// </summary>
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

    private static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> ListAsync(
        [AsParameters] PageQuery paging, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
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
        CreateUserRequest request, ClaimsPrincipal user, UserCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request.UserName, request.Password, request.Role, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } created
            ? TypedResults.Created($"/api/v1/users/{created.Id}", ToDto(created))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var found = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        return found is null ? Problems.NotFound($"User {id}") : TypedResults.Ok(ToDto(found));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, ClaimsPrincipal user, UserCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.UpdateAsync(Caller.Of(user), id, request.Role, request.Password, request.Disabled, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } updated ? TypedResults.Ok(ToDto(updated)) : result.Refusal!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal user, UserCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    private static UserDto ToDto(UserEntity user) => UserCommands.ToDto(user);
}
