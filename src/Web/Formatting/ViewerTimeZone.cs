using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Formatting;

/// <summary>
/// The viewer's time zone for one request. The browser reports its IANA zone in the <see cref="CookieName"/> cookie
/// (set by <c>wwwroot/js/fleet.js</c> on the first page); until it has, times are shown in UTC and say so, and the
/// script rewrites the <c>&lt;time&gt;</c> elements of that first page in place.
/// </summary>
public sealed class ViewerTimeZone
{
    /// <summary>The cookie carrying the browser's IANA time zone name (e.g. <c>Europe/Berlin</c>).</summary>
    public const string CookieName = "fleet_tz";

    /// <summary>Creates the zone from the request's cookie (UTC when absent or unknown).</summary>
    public ViewerTimeZone(IHttpContextAccessor accessor)
        : this(accessor.HttpContext?.Request.Cookies[CookieName])
    {
    }

    /// <summary>Creates the zone from an IANA name (UTC when null or unknown).</summary>
    public ViewerTimeZone(string? ianaName)
    {
        Zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(ianaName) && ianaName.Length <= 64
            && TimeZoneInfo.TryFindSystemTimeZoneById(ianaName, out var zone))
        {
            Zone = zone;
            FromBrowser = true;
        }
    }

    /// <summary>The zone times are shown in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Whether the zone came from the browser (false: UTC as a fallback).</summary>
    public bool FromBrowser { get; }

    /// <summary>The zone's name as shown to the viewer.</summary>
    public string Name => FromBrowser ? Zone.Id : "UTC";

    /// <summary>The instant in the viewer's zone.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, Zone);

    /// <summary><c>2025-03-01 14:05:09</c> in the viewer's zone.</summary>
    public string Format(DateTimeOffset time) =>
        ToLocal(time).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary><c>14:05:09</c> in the viewer's zone, for axes and today's events.</summary>
    public string FormatTime(DateTimeOffset time) =>
        ToLocal(time).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The full local time with the zone's name, as a tooltip.</summary>
    public string Tooltip(DateTimeOffset time) => $"{Format(time)} ({Name})";

    /// <summary>The exact UTC instant for a <c>&lt;time datetime&gt;</c> attribute.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>just now</c>, <c>5 s ago</c>, <c>3 min ago</c>, relative to <paramref name="now"/>.</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        if (age < TimeSpan.FromSeconds(2))
        {
            return "just now";
        }

        return Units.Duration(age) + " ago";
    }
}
