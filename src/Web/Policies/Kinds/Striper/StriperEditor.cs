using System.Globalization;
using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies.Kinds.Striper;

/// <summary>
/// The policy editor's striper section (scheduler, cipher, timing, a new key, traffic classes as JSON) and path
/// columns, and the striper facts of the summary. The stored key is never written into the form.
/// </summary>
public sealed class StriperEditor : LinkKindEditor
{
    private static readonly JsonSerializerOptions s_classesJson = new(FleetJson.Options) { WriteIndented = true };

    /// <inheritdoc />
    public override LinkKind Kind => LinkKind.Striper;

    /// <inheritdoc />
    public override Type Section => typeof(StriperSection);

    /// <inheritdoc />
    public override Type MemberColumns => typeof(StriperMemberColumns);

    /// <summary>
    /// The fields shown with their errors. Class errors name their place in the list (<c>striper.classes[1].match</c>)
    /// and are listed above the form with their paths; the health thresholds are not in the form.
    /// </summary>
    public override IReadOnlyList<string> EditedFields { get; } =
    [
        StriperFields.Scheduler, StriperFields.SchedulerParameters, StriperFields.Cipher, StriperFields.ProbeIntervalMs,
        StriperFields.MaxHoldMs, StriperFields.RekeyIntervalSeconds, StriperFields.Key,
    ];

    /// <inheritdoc />
    public override void Fill(LinkSpec spec, PolicyForm form)
    {
        if (spec.Striper is not { } striper)
        {
            return;
        }

        form.SetOption(StriperFields.Scheduler, WireNames.Of(striper.Scheduler));
        form.SetOption(StriperFields.SchedulerParameters, string.Join("\n", striper.SchedulerParameters.Select(p => $"{p.Key}={PolicyForm.Text(p.Value)}")));
        form.SetOption(StriperFields.Cipher, WireNames.Of(striper.Cipher));
        form.SetOption(StriperFields.ProbeIntervalMs, PolicyForm.Text(striper.ProbeIntervalMs));
        form.SetOption(StriperFields.MaxHoldMs, PolicyForm.Text(striper.MaxHoldMs));
        form.SetOption(StriperFields.RekeyIntervalSeconds, PolicyForm.Text(striper.RekeyIntervalSeconds));
        form.SetOption(StriperFields.Classes, striper.Classes.Count == 0 ? null : JsonSerializer.Serialize(striper.Classes, s_classesJson));
    }

    /// <inheritdoc />
    public override LinkSpec Apply(LinkSpec spec, LinkSpec current, PolicyForm form, FieldParser parser)
    {
        // What the form does not show (health thresholds) stays as it is; a new striper link starts from the defaults.
        var stored = current.Striper;
        var defaults = stored ?? new StriperOptions { Key = "" };
        return spec with
        {
            Striper = defaults with
            {
                Scheduler = parser.Enum<StripeSchedulerKind>(StriperFields.Scheduler, form.Option(StriperFields.Scheduler)) ?? defaults.Scheduler,
                SchedulerParameters = ParseParameters(form.Option(StriperFields.SchedulerParameters), parser),
                Cipher = parser.Enum<StriperCipher>(StriperFields.Cipher, form.Option(StriperFields.Cipher)) ?? defaults.Cipher,
                ProbeIntervalMs = parser.Int(StriperFields.ProbeIntervalMs, form.Option(StriperFields.ProbeIntervalMs)) ?? defaults.ProbeIntervalMs,
                MaxHoldMs = parser.Int(StriperFields.MaxHoldMs, form.Option(StriperFields.MaxHoldMs)) ?? defaults.MaxHoldMs,
                RekeyIntervalSeconds = parser.Int(StriperFields.RekeyIntervalSeconds, form.Option(StriperFields.RekeyIntervalSeconds)) ?? defaults.RekeyIntervalSeconds,
                Key = PolicyForm.Blank(form.Option(StriperFields.Key)) ?? stored?.Key ?? "",
                Classes = ParseClasses(form.Option(StriperFields.Classes), parser),
            },
        };
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, string Value)> Facts(LinkSpec spec)
    {
        if (spec.Striper is not { } striper)
        {
            yield break;
        }

        var members = spec.Members ?? [];
        yield return ("Scheduler", WireNames.Of(striper.Scheduler));
        if (members.Any(m => m.Weight is not null))
        {
            yield return ("Weights", string.Join(", ", members.Select(m =>
                $"{m.Interface} {m.Weight?.ToString("0.###", CultureInfo.InvariantCulture) ?? "–"}")));
        }

        yield return ("Cipher", WireNames.Of(striper.Cipher));
        yield return ("Probes / hold", $"every {striper.ProbeIntervalMs} ms / at most {striper.MaxHoldMs} ms");
    }

    private static Dictionary<string, double> ParseParameters(string? text, FieldParser parser)
    {
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in PolicyForm.SplitList(text))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? entry[..equals].Trim() : entry;
            if (equals <= 0 || !double.TryParse(entry[(equals + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                parser.Errors.Add(new ValidationError(StriperFields.SchedulerParameters, $"'{entry}' is not name=number"));
                continue;
            }

            parameters[name] = value;
        }

        return parameters;
    }

    private static List<TrafficClassSpec> ParseClasses(string? text, FieldParser parser)
    {
        if (PolicyForm.Blank(text) is not { } json)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<TrafficClassSpec>>(json, FleetJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            // The parser's own words name the line and the field it stopped at; the validator checks the rest.
            parser.Errors.Add(new ValidationError(StriperFields.Classes, $"not a JSON list of classes: {ex.Message}"));
            return [];
        }
    }
}
