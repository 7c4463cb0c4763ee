using Fleet.Contracts.Rest;

namespace Fleet.Web.Alerts;

/// <summary>
/// The scopes a silence made from a firing alert can have, narrowest first: this alert (its rule on its subject), its
/// member, its link, its whole host. The form posts the scope's key; the page turns it into the silence's fields here.
/// </summary>
public sealed record SilenceScope(string Key, string Label, Guid? HostId, Guid? LinkId, string? Member, AlertRule? Rule)
{
    /// <summary>The scopes offered for <paramref name="alert"/>.</summary>
    public static IReadOnlyList<SilenceScope> For(AlertRow alert)
    {
        var scopes = new List<SilenceScope>
        {
            new("alert", $"this alert ({Wire(alert.Rule)} on {Subject(alert)})", alert.HostId, alert.LinkId, alert.Member, alert.Rule),
        };
        if (alert.Member is { } member && alert.LinkId is { } memberLink)
        {
            scopes.Add(new("member", $"every alert of member {member} of {alert.LinkName}", alert.HostId, memberLink, member, null));
        }

        if (alert.LinkId is { } link)
        {
            scopes.Add(new("link", $"every alert of link {alert.LinkName} and its members", alert.HostId, link, null, null));
        }

        scopes.Add(new("host", $"every alert of host {alert.HostName}", alert.HostId, null, null, null));
        return scopes;
    }

    /// <summary>The scope of <paramref name="alert"/> named <paramref name="key"/>, or null when it offers none by that name.</summary>
    public static SilenceScope? Find(AlertRow alert, string? key) => For(alert).FirstOrDefault(s => s.Key == key);

    /// <summary>What the alert is about, as the lists name it: <c>host / link / member</c>.</summary>
    public static string Subject(AlertRow alert) =>
        alert.HostName + (alert.LinkName is { } link ? " / " + link : "") + (alert.Member is { } member ? " / " + member : "");

    private static string Wire(AlertRule rule) => AlertLooks.Rule(rule);
}
