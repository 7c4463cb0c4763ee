using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Policies;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The policy editor's door to <see cref="LinkCommands.ChangeSpecAsync"/> (the command behind
/// <c>PUT /api/v1/links/{id}/spec</c>): the editor's generation is the precondition, and the command's result is read
/// as a <see cref="PolicyChangeResult"/>.
/// </summary>
public sealed class DashboardPolicyCommands(LinkCommands commands, IHttpContextAccessor http) : IPolicyCommands
{
    public async Task<PolicyChangeResult> ChangeAsync(Guid linkId, LinkSpec spec, long expectedGeneration, string? reason, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());
        var result = await commands.ChangeSpecAsync(caller, linkId, spec, LinkPrecondition.AtGeneration(expectedGeneration), reason, cancellationToken);
        return ToPolicyChange(result);
    }

    private static PolicyChangeResult ToPolicyChange(CommandResult<LinkEntity> result)
    {
        if (result.Value is { } link)
        {
            return new PolicyChangeResult.Accepted(link.DesiredGeneration);
        }

        if (result.Errors is { } errors)
        {
            return new PolicyChangeResult.Invalid([.. errors.SelectMany(e => e.Value.Select(message => new ValidationError(e.Key, message)))]);
        }

        var refusal = result.Refusal!;
        return refusal.Kind switch
        {
            RefusalKind.NotFound => new PolicyChangeResult.NotFound(),
            RefusalKind.Forbidden => new PolicyChangeResult.Forbidden(),
            RefusalKind.Stale or RefusalKind.PreconditionRequired => new PolicyChangeResult.Conflict(refusal.CurrentVersion ?? 0),

            // A name taken, a decommissioned host, a kind the host cannot run: the editor shows the sentence, next to
            // the field it is about when there is one.
            RefusalKind.Conflict or RefusalKind.Unprocessable => new PolicyChangeResult.Invalid([new ValidationError(refusal.Field ?? "", refusal.Detail)]),
            _ => throw new ArgumentOutOfRangeException(nameof(result), refusal.Kind, null),
        };
    }
}
