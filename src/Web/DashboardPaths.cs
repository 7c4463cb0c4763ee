namespace Fleet.Web;

/// <summary>The dashboard's page addresses, in one place.</summary>
public static class DashboardPaths
{
    /// <summary>The fleet overview.</summary>
    public const string Overview = "/";

    /// <summary>Alerts: firing, history, silences.</summary>
    public const string Alerts = "/alerts";

    /// <summary>The event log.</summary>
    public const string Events = "/events";

    /// <summary>The admin settings.</summary>
    public const string Settings = "/settings";

    /// <summary>A host's page.</summary>
    public static string Host(Guid hostId) => $"/hosts/{hostId}";

    /// <summary>A link's page.</summary>
    public static string Link(Guid linkId) => $"/links/{linkId}";

    /// <summary>A link's policy editor.</summary>
    public static string Policy(Guid linkId) => $"/links/{linkId}/policy";

    /// <summary>A link's policy editor opened on the doctor's suggested change for one finding (docs/doctor.md).</summary>
    public static string PolicyFix(Guid linkId, string code, string? member) =>
        $"{Policy(linkId)}?fix={Uri.EscapeDataString(code)}" + (member is null ? "" : $"&member={Uri.EscapeDataString(member)}");
}
