namespace Fleet.Contracts.Links.Validation;

/// <summary>One problem with a spec, at a JSON path such as <c>members[1].interface</c> or <c>bond.miimonMs</c>.</summary>
/// <param name="Path">camelCase JSON path of the offending field, as a client would address it.</param>
/// <param name="Message">What is wrong, in words an operator understands.</param>
public sealed record ValidationError(string Path, string Message);

/// <summary>Helpers over lists of <see cref="ValidationError"/>.</summary>
public static class ValidationErrors
{
    /// <summary>Groups errors by path, the shape of ASP.NET Core's <c>ValidationProblem</c> and of form field errors.</summary>
    public static IDictionary<string, string[]> ToDictionary(IEnumerable<ValidationError> errors)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in errors.GroupBy(e => e.Path, StringComparer.Ordinal))
        {
            result[group.Key] = group.Select(e => e.Message).ToArray();
        }

        return result;
    }
}
