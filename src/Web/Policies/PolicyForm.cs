using System.Globalization;
using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>
/// What the policy editor posts: every field as the text the operator typed, so a wrong entry comes back as it was
/// typed with an error next to it. <see cref="ToSpec"/> turns it into a <see cref="LinkSpec"/> and reports what
/// cannot even be parsed at the same JSON paths <see cref="LinkSpecValidator"/> uses for what is parsed but wrong.
/// </summary>
public sealed class PolicyForm
{
    private static readonly JsonSerializerOptions s_classesJson = new(FleetJson.Options) { WriteIndented = true };

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

    /// <summary>Take over a device of the link's name that Fleet did not create (not for MPTCP).</summary>
    public bool Adopt { get; set; }

    public string? BondMode { get; set; }

    public string? BondMiimonMs { get; set; }

    public string? BondArpIntervalMs { get; set; }

    /// <summary>ARP targets, comma-separated.</summary>
    public string? BondArpIpTargets { get; set; }

    public string? BondUpdelayMs { get; set; }

    public string? BondDowndelayMs { get; set; }

    public string? BondPrimary { get; set; }

    public string? BondXmitHashPolicy { get; set; }

    public string? BondLacpRate { get; set; }

    public string? BondMacAddress { get; set; }

    public string? TeqlProbeIntervalMs { get; set; }

    public string? TeqlDownAfterFailedProbes { get; set; }

    public string? MptcpSubflowsLimit { get; set; }

    public string? MptcpAddAddrAcceptedLimit { get; set; }

    /// <summary>systemd services, comma-separated.</summary>
    public string? MptcpizeServices { get; set; }

    public string? StriperScheduler { get; set; }

    /// <summary>Scheduler parameters, one <c>name=value</c> per line or comma-separated.</summary>
    public string? StriperSchedulerParameters { get; set; }

    public string? StriperCipher { get; set; }

    public string? StriperProbeIntervalMs { get; set; }

    public string? StriperMaxHoldMs { get; set; }

    public string? StriperRekeyIntervalSeconds { get; set; }

    /// <summary>A new pre-shared key (base64 of 32 bytes); empty keeps the current one. Never rendered back.</summary>
    public string? StriperNewKey { get; set; }

    /// <summary>The striper's traffic classes as a JSON array (the spec's <c>striper.classes</c>); empty for none.</summary>
    public string? StriperClasses { get; set; }

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

        if (spec.Bond is { } bond)
        {
            form.BondMode = WireNames.Of(bond.Mode);
            form.BondMiimonMs = Text(bond.MiimonMs);
            form.BondArpIntervalMs = Text(bond.ArpIntervalMs);
            form.BondArpIpTargets = string.Join(", ", bond.ArpIpTargets);
            form.BondUpdelayMs = Text(bond.UpdelayMs);
            form.BondDowndelayMs = Text(bond.DowndelayMs);
            form.BondPrimary = bond.Primary;
            form.BondXmitHashPolicy = bond.XmitHashPolicy is { } hash ? WireNames.Of(hash) : null;
            form.BondLacpRate = bond.LacpRate is { } lacp ? WireNames.Of(lacp) : null;
            form.BondMacAddress = bond.MacAddress;
        }

        var teql = spec.Teql ?? new TeqlOptions();
        form.TeqlProbeIntervalMs = Text(teql.ProbeIntervalMs);
        form.TeqlDownAfterFailedProbes = Text(teql.DownAfterFailedProbes);

        var mptcp = spec.Mptcp ?? new MptcpOptions();
        form.MptcpSubflowsLimit = Text(mptcp.SubflowsLimit);
        form.MptcpAddAddrAcceptedLimit = Text(mptcp.AddAddrAcceptedLimit);
        form.MptcpizeServices = string.Join(", ", mptcp.MptcpizeServices);

        if (spec.Striper is { } striper)
        {
            form.StriperScheduler = WireNames.Of(striper.Scheduler);
            form.StriperSchedulerParameters = string.Join("\n", striper.SchedulerParameters.Select(p => $"{p.Key}={Text(p.Value)}"));
            form.StriperCipher = WireNames.Of(striper.Cipher);
            form.StriperProbeIntervalMs = Text(striper.ProbeIntervalMs);
            form.StriperMaxHoldMs = Text(striper.MaxHoldMs);
            form.StriperRekeyIntervalSeconds = Text(striper.RekeyIntervalSeconds);
            form.StriperClasses = striper.Classes.Count == 0 ? null : JsonSerializer.Serialize(striper.Classes, s_classesJson);
        }

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
        var members = new List<MemberSpec>(Members.Count);
        for (var i = 0; i < Members.Count; i++)
        {
            members.Add(Members[i].ToSpec(current.Kind, $"members[{i}]", parser));
        }

        var kind = current.Kind;
        var spec = new LinkSpec
        {
            Kind = kind,
            Name = current.Name,
            Members = members,
            Addresses = kind == LinkKind.Mptcp ? [] : SplitList(Addresses),
            Routes = kind == LinkKind.Mptcp ? [] : ParseRoutes(parser),
            Mtu = kind == LinkKind.Mptcp ? null : parser.Int("mtu", Mtu),
            ConfirmTimeoutSeconds = parser.Int("confirmTimeoutSeconds", ConfirmTimeoutSeconds) ?? LinkSpec.DefaultConfirmTimeoutSeconds,
            RepairDrift = RepairDrift,
            Adopt = kind != LinkKind.Mptcp && Adopt,
        };

        return kind switch
        {
            LinkKind.Bond => spec with { Bond = BondOptions(parser) },
            LinkKind.Teql => spec with
            {
                Teql = new TeqlOptions
                {
                    ProbeIntervalMs = parser.Int("teql.probeIntervalMs", TeqlProbeIntervalMs) ?? new TeqlOptions().ProbeIntervalMs,
                    DownAfterFailedProbes = parser.Int("teql.downAfterFailedProbes", TeqlDownAfterFailedProbes) ?? new TeqlOptions().DownAfterFailedProbes,
                },
            },
            LinkKind.Mptcp => spec with
            {
                Mptcp = new MptcpOptions
                {
                    SubflowsLimit = parser.Int("mptcp.subflowsLimit", MptcpSubflowsLimit) ?? new MptcpOptions().SubflowsLimit,
                    AddAddrAcceptedLimit = parser.Int("mptcp.addAddrAcceptedLimit", MptcpAddAddrAcceptedLimit) ?? new MptcpOptions().AddAddrAcceptedLimit,
                    MptcpizeServices = SplitList(MptcpizeServices),
                },
            },
            LinkKind.Striper => spec with { Striper = StriperOptions(current.Striper, parser) },
            _ => spec,
        };
    }

    private BondOptions BondOptions(FieldParser parser) => new()
    {
        Mode = parser.Enum<BondMode>("bond.mode", BondMode) ?? parser.Required("bond.mode", BondMode, Contracts.Links.BondMode.ActiveBackup),
        MiimonMs = parser.Int("bond.miimonMs", BondMiimonMs),
        ArpIntervalMs = parser.Int("bond.arpIntervalMs", BondArpIntervalMs),
        ArpIpTargets = SplitList(BondArpIpTargets),
        UpdelayMs = parser.Int("bond.updelayMs", BondUpdelayMs),
        DowndelayMs = parser.Int("bond.downdelayMs", BondDowndelayMs),
        Primary = Blank(BondPrimary),
        XmitHashPolicy = parser.Enum<BondXmitHashPolicy>("bond.xmitHashPolicy", BondXmitHashPolicy),
        LacpRate = parser.Enum<BondLacpRate>("bond.lacpRate", BondLacpRate),
        MacAddress = Blank(BondMacAddress),
    };

    private StriperOptions StriperOptions(StriperOptions? current, FieldParser parser)
    {
        // What the form does not show (health thresholds) stays as it is; a new striper link starts from the defaults.
        var defaults = current ?? new StriperOptions { Key = "" };
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in SplitList(StriperSchedulerParameters))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? entry[..equals].Trim() : entry;
            if (equals <= 0 || !double.TryParse(entry[(equals + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                parser.Errors.Add(new ValidationError("striper.schedulerParameters", $"'{entry}' is not name=number"));
                continue;
            }

            parameters[name] = value;
        }

        return defaults with
        {
            Scheduler = parser.Enum<StripeSchedulerKind>("striper.scheduler", StriperScheduler) ?? defaults.Scheduler,
            SchedulerParameters = parameters,
            Cipher = parser.Enum<StriperCipher>("striper.cipher", StriperCipher) ?? defaults.Cipher,
            ProbeIntervalMs = parser.Int("striper.probeIntervalMs", StriperProbeIntervalMs) ?? defaults.ProbeIntervalMs,
            MaxHoldMs = parser.Int("striper.maxHoldMs", StriperMaxHoldMs) ?? defaults.MaxHoldMs,
            RekeyIntervalSeconds = parser.Int("striper.rekeyIntervalSeconds", StriperRekeyIntervalSeconds) ?? defaults.RekeyIntervalSeconds,
            Key = Blank(StriperNewKey) ?? current?.Key ?? "",
            Classes = ParseClasses(parser),
        };
    }

    private List<TrafficClassSpec> ParseClasses(FieldParser parser)
    {
        if (Blank(StriperClasses) is not { } text)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<TrafficClassSpec>>(text, FleetJson.Options) ?? [];
        }
        catch (JsonException ex)
        {
            // The parser's own words name the line and the field it stopped at; the validator checks the rest.
            parser.Errors.Add(new ValidationError("striper.classes", $"not a JSON list of classes: {ex.Message}"));
            return [];
        }
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
