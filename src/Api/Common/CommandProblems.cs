using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Api.Common;

/// <summary>The REST door's reading of a <see cref="CommandRefusal"/>: an RFC 7807 ProblemDetails with its status.</summary>
public static class CommandProblems
{
    public static ProblemHttpResult ToProblem(this CommandRefusal refusal)
    {
        var (status, title) = refusal.Kind switch
        {
            RefusalKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            RefusalKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            RefusalKind.Unprocessable => (StatusCodes.Status422UnprocessableEntity, "Unprocessable"),
            RefusalKind.Stale => (StatusCodes.Status412PreconditionFailed, "Precondition failed"),
            RefusalKind.PreconditionRequired => (StatusCodes.Status428PreconditionRequired, "Precondition required"),
            RefusalKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, null),
        };
        if (refusal.Errors is { } errors)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
            {
                Status = status,
                Title = refusal.Title ?? title,
                Detail = refusal.Detail,
            });
        }

        return TypedResults.Problem(statusCode: status, title: refusal.Title ?? title, detail: refusal.Detail);
    }
}
