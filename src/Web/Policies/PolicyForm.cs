using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Policies.Kinds;

namespace Fleet.Web.Policies;

/// <summary>
/// What the policy editor posts: every field as the text the operator typed, so a wrong entry comes back as it was
/// typed with an error next to it. <see cref="ToSpec"/> turns it into a <see cref="LinkSpec"/> and reports what
/// cannot even be parsed at the same JSON paths <see cref="LinkSpecValidator"/> uses for what is parsed but wrong.
/// The fields every kind shares are properties; a kind's own options are its section of <see cref="Options"/>, keyed
/// by their validator paths and filled and read by the kind's <see cref="LinkKindEditor"/>.
/// </summary>
public sealed class PolicyForm
{
    /// <summary>The generation the operator started from (optimistic concurrency).</summary>
    public long ExpectedGeneration { get; set; }

    /// <summary>The members in priority order.</summary>
    public List<MemberForm> Members { get; set; } = [];

    /// <summary>Addresses, one per line or comma-separated.</summary>
    public string? Addresses { get; set; }

    /// <summary>Routes, one per line: <c>DESTINATION [via GATEWAY] [metric N]</c>.</summary>
    public string? Routes { get; set; }

    public string? Mtu { get; set; }

    public string? ConfirmTimeoutSeconds { get; set; }

    public bool RepairDrift { get; set; }

    /// <summary>Take over a device of the link's name that Fleet did not create (kinds with a device only).</summary>
    public bool Adopt { get; set; }

    /// <summary>The change note: stored as the new revision's reason, shown in the history.</summary>
    public string? Note { get; set; }

    /// <summary>The note as the revision stores it: trimmed, and none when blank.</summary>
    /// <remarks>Browsers post a textarea's line breaks as CR LF; the revision keeps LF, the one it accepts.</remarks>
    public string? Reason => string.IsNullOrWhiteSpace(Note) ? null : Note.Trim().ReplaceLineEndings("\n");

    /// <summary>
    /// The kind's options as typed, by validator path (<c>bond.mode</c> → <c>active-backup</c>), posted as
    /// <c>Form.Options[bond.mode]</c>. The striper's new key (<c>striper.key</c>) is never filled from a spec.
    /// </summary>
    public Dictionary<string, string?> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The form property name of the option at <paramref name="path"/>.</summary>
    public static string OptionName(string path) => $"{nameof(Options)}[{path}]";

    /// <summary>The text of the option at <paramref name="path"/>; null when absent.</summary>
    public string? Option(string path) => Options.GetValueOrDefault(path);

    /// <summary>Sets the text of the option at <paramref name="path"/>.</summary>
    public void SetOption(string path, string? text) => Options[path] = text;

    /// <summary>The form showing <paramref name="spec"/> at <paramref name="generation"/>.</summary>
    public static PolicyForm FromSpec(LinkSpec spec, long generation)
    {
        var form = new PolicyForm
        {
            ExpectedGeneration = generation,
            Members = spec.Members.Select(MemberForm.FromSpec).ToList(),
            Addresses = string.Join("\n", spec.Addresses),
            Routes = string.Join("\n", spec.Routes.Select(FormatRoute)),
            Mtu = Text(spec.Mtu),
            ConfirmTimeoutSeconds = Text(spec.ConfirmTimeoutSeconds),
            RepairDrift = spec.RepairDrift,
            Adopt = spec.Adopt,
        };
        LinkKindEditors.Of(spec.Kind).Fill(spec, form);
        return form;
    }

    /// <summary>
    /// The spec this form describes, for a link whose stored spec is <paramref name="current"/> (kind, name and,
    /// unless a new one was typed, the striper key come from there). Fields that do not parse are reported in
    /// <paramref name="errors"/> and left at their defaults.
    /// </summary>
    public LinkSpec ToSpec(LinkSpec current, List<ValidationError> errors)
    {
        var parser = new FieldParser(errors);
        var kind = LinkKinds.Of(current.Kind);
        var members = new List<MemberSpec>(Members.Count);
        for (var i = 0; i < Members.Count; i++)
        {
            members.Add(Members[i].ToSpec(kind, PolicyPaths.Member(i), parser));
        }

        var spec = new LinkSpec
        {
            Kind = current.Kind,
            Name = current.Name,
            Members = members,
            Addresses = kind.HasDevice ? SplitList(Addresses) : [],
            Routes = kind.HasDevice ? ParseRoutes(parser) : [],
            Mtu = kind.HasDevice ? parser.Int("mtu", Mtu) : null,
            ConfirmTimeoutSeconds = parser.Int("confirmTimeoutSeconds", ConfirmTimeoutSeconds) ?? LinkSpec.DefaultConfirmTimeoutSeconds,
            RepairDrift = RepairDrift,
            Adopt = kind.HasDevice && Adopt,
        };
        return LinkKindEditors.Of(current.Kind).Apply(spec, current, this, parser);
    }

    private List<RouteSpec> ParseRoutes(FieldParser parser)
    {
        var routes = new List<RouteSpec>();
        var lines = (Routes ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string? via = null;
            int? metric = null;
            var ok = words.Length is 1 or 3 or 5;
            for (var w = 1; ok && w + 1 < words.Length; w += 2)
            {
                switch (words[w])
                {
                    case "via":
                        via = words[w + 1];
                        break;
                    case "metric":
                        metric = parser.Int($"routes[{i}].metric", words[w + 1]);
                        break;
                    default:
                        ok = false;
                        break;
                }
            }

            if (!ok)
            {
                parser.Errors.Add(new ValidationError($"routes[{i}]", $"'{lines[i]}' is not 'DESTINATION [via GATEWAY] [metric N]'"));
                continue;
            }

            routes.Add(new RouteSpec { Destination = words[0], Via = via, Metric = metric });
        }

        return routes;
    }

    internal static string FormatRoute(RouteSpec route) =>
        route.Destination
        + (route.Via is null ? "" : " via " + route.Via)
        + (route.Metric is null ? "" : " metric " + Text(route.Metric));

    internal static List<string> SplitList(string? text) =>
        (text ?? "").Split([',', '\n', ' ', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    internal static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    internal static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    internal static string? Text(double? value) => value?.ToString("0.######", CultureInfo.InvariantCulture);
}
