using System.Text;

namespace Fleet.Web.Account;

/// <summary>Guards redirects against leaving the site (open redirects) and against URLs a header cannot carry.</summary>
public static class LocalUrl
{
    /// <summary>Longest return URL kept; a longer one is replaced by <c>/</c>.</summary>
    public const int MaxLength = 2048;

    /// <summary>True for <c>/path?query</c>; false for absolute, scheme-relative (<c>//host</c>) and back-slashed URLs.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url.Length <= MaxLength
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\\', StringComparison.Ordinal)
        && !url.Any(char.IsControl);

    /// <summary>The URL when it is local, otherwise <c>/</c>.</summary>
    public static string OrRoot(string? url) => IsLocal(url) ? url! : "/";

    /// <summary>
    /// The URL for a <c>Location</c> header: local, with every character outside printable ASCII (spaces, <c>é</c>,
    /// U+2028) percent-encoded as UTF-8 (RFC 3986 §2.1), since a header value cannot carry them; otherwise <c>/</c>.
    /// Existing <c>%XX</c> escapes are kept as they are.
    /// </summary>
    public static string ForRedirect(string? url)
    {
        var local = OrRoot(url);
        if (local.All(IsPrintableAscii))
        {
            return local;
        }

        var encoded = new StringBuilder(local.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in local.EnumerateRunes())
        {
            if (rune.IsAscii && IsPrintableAscii((char)rune.Value))
            {
                encoded.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static bool IsPrintableAscii(char c) => c is > ' ' and < (char)0x7F;
}
