namespace Fleet.Api.Common;

/// <summary>If-Match against a resource's one current strong ETag.</summary>
public static class ETags
{
    /// <summary>Whether any tag of <paramref name="ifMatch"/> (comma-separated, or <c>*</c>) is <paramref name="current"/>.</summary>
    public static bool Matches(string ifMatch, string current) =>
        ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(tag => tag == "*" || tag == current);
}
