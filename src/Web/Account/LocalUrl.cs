namespace Fleet.Web.Account;

/// <summary>Guards redirects against leaving the site (open redirects).</summary>
public static class LocalUrl
{
    /// <summary>True for <c>/path?query</c>; false for absolute, scheme-relative (<c>//host</c>) and back-slashed URLs.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\\', StringComparison.Ordinal)
        && !url.Any(char.IsControl);

    /// <summary>The URL when it is local, otherwise <c>/</c>.</summary>
    public static string OrRoot(string? url) => IsLocal(url) ? url! : "/";
}
