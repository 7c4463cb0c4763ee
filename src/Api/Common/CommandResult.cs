namespace Fleet.Api.Common;

/// <summary>Why an application command refused, besides invalid fields (<see cref="CommandResult{T}.Errors"/>).</summary>
public enum RefusalKind
{
    /// <summary>The target does not exist (REST 404).</summary>
    NotFound,

    /// <summary>The change contradicts the state of things: a name taken, a decommissioned host, the last admin (REST 409).</summary>
    Conflict,

    /// <summary>The input is well formed but cannot be done: a link's kind changed, a host that lacks the capability (REST 422).</summary>
    Unprocessable,

    /// <summary>The caller's change was made against a version that is no longer current (REST 412).</summary>
    Stale,

    /// <summary>The change must name the version it was made against and did not (REST 428).</summary>
    PreconditionRequired,

    /// <summary>The caller's role may not do this (REST 403).</summary>
    Forbidden,
}

/// <summary>A command's refusal: what kind, the sentence a person reads, and where it belongs.</summary>
/// <param name="Kind">What kind of refusal.</param>
/// <param name="Detail">A full sentence for the caller.</param>
/// <param name="Title">A short title (REST ProblemDetails title); null: the kind's usual one.</param>
/// <param name="Field">The input field it is about, when there is one (the dashboard shows it next to that field).</param>
/// <param name="CurrentVersion">For <see cref="RefusalKind.Stale"/> and <see cref="RefusalKind.PreconditionRequired"/>: the current version (a link's generation).</param>
/// <param name="Errors">Field path → messages, when the refusal is about several fields (a link pair whose paths cannot connect).</param>
public sealed record CommandRefusal(
    RefusalKind Kind, string Detail, string? Title = null, string? Field = null, long? CurrentVersion = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static CommandRefusal NotFound(string what, string? field = null) => new(RefusalKind.NotFound, $"{what} does not exist.", Field: field);

    public static CommandRefusal Conflict(string detail, string? field = null) => new(RefusalKind.Conflict, detail, Field: field);

    public static CommandRefusal Unprocessable(string title, string detail, string? field = null) => new(RefusalKind.Unprocessable, detail, title, field);

    public static CommandRefusal Forbidden(string detail) => new(RefusalKind.Forbidden, detail);
}

/// <summary>
/// What an application command returns: the changed entity, field errors (nothing changed), or a refusal (nothing
/// changed). Each door maps it: REST to typed results and RFC 7807 ProblemDetails (<see cref="CommandProblems"/>),
/// the dashboard to its own result types.
/// </summary>
public readonly record struct CommandResult<T>
    where T : class
{
    private CommandResult(T? value, IReadOnlyDictionary<string, string[]>? errors, CommandRefusal? refusal)
    {
        Value = value;
        Errors = errors;
        Refusal = refusal;
    }

    /// <summary>The result of a command that succeeded; null otherwise.</summary>
    public T? Value { get; }

    /// <summary>Field path → messages, every problem of the input at once; null unless the input was invalid.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    /// <summary>Why the command refused; null unless it did.</summary>
    public CommandRefusal? Refusal { get; }

    /// <summary>
    /// Why it did not succeed, as one sentence for a dashboard panel that shows no field errors of its own: the
    /// refusal's detail, or each field error as "field: message". Null when it succeeded.
    /// </summary>
    public string? FailureText => Value is not null ? null
        : Refusal?.Detail ?? string.Join("; ", (Errors ?? new Dictionary<string, string[]>()).SelectMany(e => e.Value.Select(m => e.Key.Length == 0 ? m : $"{e.Key}: {m}")));

    public static implicit operator CommandResult<T>(T value) => new(value, null, null);

    public static implicit operator CommandResult<T>(CommandRefusal refusal) => new(null, null, refusal);

    public static implicit operator CommandResult<T>(Dictionary<string, string[]> errors) => new(null, errors, null);
}
