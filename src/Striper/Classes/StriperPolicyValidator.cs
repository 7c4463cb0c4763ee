using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Striper.Classes;

/// <summary>
/// Every rule a <see cref="StriperPolicy"/> must follow against its link spec, all errors at once, each at the JSON path
/// the proposed spec shape gives it (<c>members[2].tier</c>, <c>striper.classes[0].match.destinationPorts[1]</c>):
/// invalid fields, overlapping entries within a list, a class that can never match because an earlier class takes all
/// its packets, and options that do not fit the action. Partial overlaps between classes are allowed: the list is
/// ordered and the first match wins, which is how a specific class goes before a general one.
/// </summary>
public static partial class StriperPolicyValidator
{
    /// <summary>Most classes a link may have (class ids 1–32 travel in one byte on the wire).</summary>
    public const int MaxClasses = 32;

    /// <summary>Largest FEC block delay bound, ms.</summary>
    public const int MaxFecDelayMs = 1000;

    /// <summary>Validates <paramref name="policy"/> for <paramref name="spec"/> (a striper spec, validated on its own).</summary>
    public static IReadOnlyList<ValidationError> Validate(StriperPolicy policy, LinkSpec spec)
    {
        var errors = new List<ValidationError>();
        var members = spec.Members ?? [];
        ValidateTiers(policy, members, errors);
        var classes = policy.Classes ?? [];
        if (classes.Count > MaxClasses)
        {
            errors.Add(new("striper.classes", $"at most {MaxClasses} classes"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new ClassMatch?[classes.Count];
        for (var i = 0; i < classes.Count; i++)
        {
            var path = $"striper.classes[{i}]";
            if (classes[i] is not { } trafficClass)
            {
                errors.Add(new(path, "a class is required"));
                continue;
            }

            if (trafficClass.Name is null || !NamePattern().IsMatch(trafficClass.Name))
            {
                errors.Add(new($"{path}.name", "1–32 lower-case letters, digits, '-' or '_', starting with a letter"));
            }
            else if (trafficClass.Name == "default")
            {
                errors.Add(new($"{path}.name", "'default' names the class of packets no class matches"));
            }
            else if (!names.Add(trafficClass.Name))
            {
                errors.Add(new($"{path}.name", $"another class is named '{trafficClass.Name}'"));
            }

            compiled[i] = ValidateMatch(trafficClass.Match ?? new TrafficMatch(), $"{path}.match", errors);
            var candidates = ValidateMembers(trafficClass, spec, policy, path, errors);
            ValidateAction(trafficClass, spec, candidates, path, errors);
        }

        for (var i = 0; i < compiled.Length; i++)
        {
            for (var j = 0; j < i && compiled[i] is not null; j++)
            {
                if (compiled[j] is { } earlier && MatchCoverage.Covers(earlier, compiled[i]!))
                {
                    errors.Add(new($"striper.classes[{i}].match", $"never matches: every packet it matches is taken first by classes[{j}] ('{classes[j].Name}')"));
                    break;
                }
            }
        }

        return errors;
    }

    private static void ValidateTiers(StriperPolicy policy, IReadOnlyList<MemberSpec> members, List<ValidationError> errors)
    {
        var tiers = policy.Tiers ?? [];
        if (tiers.Count > members.Count)
        {
            errors.Add(new("members", $"{tiers.Count} tiers for {members.Count} members"));
        }

        var carriers = 0;
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is not { } member)
            {
                continue;
            }

            var tier = i < tiers.Count ? tiers[i] : null;
            if (tier is { } t && !Enum.IsDefined(t))
            {
                errors.Add(new($"members[{i}].tier", $"'{t}' is not a known value"));
                continue;
            }

            if (tier is { } given && given != LinkTier.Backup && member.AdminState == MemberAdminState.Backup)
            {
                errors.Add(new($"members[{i}].tier", $"adminState backup is tier backup; tier {Wire(given)} contradicts it"));
            }

            if (member.AdminState != MemberAdminState.Disabled && policy.TierOf(i, member) != LinkTier.Never)
            {
                carriers++;
            }
        }

        if (members.Count > 0 && carriers == 0 && members.Any(m => m?.AdminState != MemberAdminState.Disabled))
        {
            errors.Add(new("members", "every enabled member is tier never: nothing could carry data"));
        }
    }

    private static ClassMatch? ValidateMatch(TrafficMatch match, string path, List<ValidationError> errors)
    {
        var before = errors.Count;
        var protocol = -1;
        if (match.Protocol is not null && !MatchSyntax.TryParseProtocol(match.Protocol, out protocol))
        {
            errors.Add(new($"{path}.protocol", $"'{match.Protocol}' is not tcp, udp, icmp, icmpv6 or a number 0–255"));
        }

        var sources = ValidatePrefixes(match.SourcePrefixes ?? [], $"{path}.sourcePrefixes", errors);
        var destinations = ValidatePrefixes(match.DestinationPrefixes ?? [], $"{path}.destinationPrefixes", errors);
        if (sources.Count > 0 && destinations.Count > 0 && !sources.Any(s => destinations.Any(d => d.Ipv6 == s.Ipv6)))
        {
            errors.Add(new($"{path}.destinationPrefixes", "no destination prefix is of a source prefix's address family: the class can never match"));
        }

        var ports = (match.SourcePorts?.Count ?? 0) + (match.DestinationPorts?.Count ?? 0);
        ValidatePorts(match.SourcePorts ?? [], $"{path}.sourcePorts", errors);
        ValidatePorts(match.DestinationPorts ?? [], $"{path}.destinationPorts", errors);
        if (ports > 0 && protocol != MatchSyntax.ProtocolTcp && protocol != MatchSyntax.ProtocolUdp)
        {
            errors.Add(new((match.SourcePorts?.Count ?? 0) > 0 ? $"{path}.sourcePorts" : $"{path}.destinationPorts", "ports need protocol tcp or udp"));
        }

        var dscp = match.Dscp ?? [];
        var seen = 0UL;
        for (var i = 0; i < dscp.Count; i++)
        {
            if (dscp[i] is < 0 or > 63)
            {
                errors.Add(new($"{path}.dscp[{i}]", "a DSCP value is 0–63"));
            }
            else if ((seen & (1UL << dscp[i])) != 0)
            {
                errors.Add(new($"{path}.dscp[{i}]", $"DSCP {dscp[i]} is listed twice"));
            }
            else
            {
                seen |= 1UL << dscp[i];
            }
        }

        return errors.Count == before ? new ClassMatch(match) : null;
    }

    private static List<IpPrefix> ValidatePrefixes(IReadOnlyList<string> texts, string path, List<ValidationError> errors)
    {
        var prefixes = new List<IpPrefix>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!MatchSyntax.TryParsePrefix(texts[i], out var prefix, out var hostBits))
            {
                errors.Add(new($"{path}[{i}]", $"'{texts[i]}' is not a network in CIDR form (10.1.0.0/16, 2001:db8::/32)"));
                continue;
            }

            if (hostBits)
            {
                errors.Add(new($"{path}[{i}]", $"'{texts[i]}' has host bits set: the network is {Format(prefix)}"));
                continue;
            }

            var overlap = prefixes.FindIndex(p => p.Covers(prefix) || prefix.Covers(p));
            if (overlap >= 0)
            {
                errors.Add(new($"{path}[{i}]", $"overlaps another entry of the list ({texts[IndexOfValid(texts, overlap)]})"));
                continue;
            }

            prefixes.Add(prefix);
        }

        return prefixes;
    }

    private static void ValidatePorts(IReadOnlyList<string> texts, string path, List<ValidationError> errors)
    {
        var ranges = new List<(PortRange Range, string Text)>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!MatchSyntax.TryParsePortRange(texts[i], out var range))
            {
                errors.Add(new($"{path}[{i}]", $"'{texts[i]}' is not a port (0–65535) or a range low-high"));
                continue;
            }

            var overlap = ranges.FindIndex(r => r.Range.Overlaps(range));
            if (overlap >= 0)
            {
                errors.Add(new($"{path}[{i}]", $"overlaps another entry of the list ({ranges[overlap].Text})"));
                continue;
            }

            ranges.Add((range, texts[i]));
        }
    }

    /// <summary>Checks the class's member names; returns how many members the class may use.</summary>
    private static int ValidateMembers(TrafficClassSpec trafficClass, LinkSpec spec, StriperPolicy policy, string path, List<ValidationError> errors)
    {
        var names = trafficClass.Members ?? [];
        if (names.Count == 0)
        {
            var all = 0;
            for (var m = 0; m < spec.Members.Count; m++)
            {
                if (spec.Members[m] is { } member && policy.TierOf(m, member) != LinkTier.Never)
                {
                    all++;
                }
            }

            return all;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var index = MemberIndex(spec, names[i]);
            if (index < 0)
            {
                errors.Add(new($"{path}.members[{i}]", $"'{names[i]}' is not a member of the link"));
            }
            else if (!seen.Add(names[i]))
            {
                errors.Add(new($"{path}.members[{i}]", $"'{names[i]}' is listed twice"));
            }
            else if (policy.TierOf(index, spec.Members[index]) == LinkTier.Never)
            {
                errors.Add(new($"{path}.members[{i}]", $"'{names[i]}' is tier never: it carries no data"));
            }
        }

        return seen.Count;
    }

    private static void ValidateAction(TrafficClassSpec trafficClass, LinkSpec spec, int candidates, string path, List<ValidationError> errors)
    {
        if (!Enum.IsDefined(trafficClass.Action))
        {
            errors.Add(new($"{path}.action", $"'{trafficClass.Action}' is not a known value"));
            return;
        }

        // Only the options of the class's own action: the others would be silently ignored.
        foreach (var (action, given) in new[]
        {
            (TrafficAction.Stripe, trafficClass.Stripe is not null), (TrafficAction.Pin, trafficClass.Pin is not null),
            (TrafficAction.Duplicate, trafficClass.Duplicate is not null), (TrafficAction.Fec, trafficClass.Fec is not null),
        })
        {
            if (given && action != trafficClass.Action)
            {
                errors.Add(new($"{path}.{Wire(action)}", $"options of action {Wire(action)}, but the class's action is {Wire(trafficClass.Action)}"));
            }
        }

        switch (trafficClass.Action)
        {
            case TrafficAction.Stripe:
                ValidateStripe(trafficClass.Stripe, spec, $"{path}.stripe", errors);
                break;
            case TrafficAction.Pin:
                if (trafficClass.Pin?.Member is { } member
                    && (MemberIndex(spec, member) < 0 || (trafficClass.Members is { Count: > 0 } list && !list.Contains(member))))
                {
                    errors.Add(new($"{path}.pin.member", $"'{member}' is not one of the class's members"));
                }

                break;
            case TrafficAction.Duplicate:
                var copies = trafficClass.Duplicate?.Copies ?? DuplicateClassOptions.DefaultCopies;
                if (copies is 1 or < 0 or > LinkSpecValidator.MaxMembers)
                {
                    errors.Add(new($"{path}.duplicate.copies", $"0 (every member) or 2–{LinkSpecValidator.MaxMembers}"));
                }
                else if (copies > candidates)
                {
                    errors.Add(new($"{path}.duplicate.copies", $"{copies} copies, but the class has {candidates} members to carry them"));
                }

                break;
            case TrafficAction.Fec:
                var fec = trafficClass.Fec ?? new FecClassOptions();
                if (!double.IsFinite(fec.TargetLossPercent) || fec.TargetLossPercent is <= 0 or > 10)
                {
                    errors.Add(new($"{path}.fec.targetLossPercent", "must be greater than 0 and at most 10"));
                }

                if (fec.MaxDelayMs is < 1 or > MaxFecDelayMs)
                {
                    errors.Add(new($"{path}.fec.maxDelayMs", $"must be between 1 and {MaxFecDelayMs} ms"));
                }

                if (!double.IsFinite(fec.MaxOverheadPercent) || fec.MaxOverheadPercent is <= 0 or > 100)
                {
                    errors.Add(new($"{path}.fec.maxOverheadPercent", "must be greater than 0 and at most 100"));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(trafficClass), trafficClass.Action, "unknown action");
        }
    }

    private static void ValidateStripe(StripeClassOptions? stripe, LinkSpec spec, string path, List<ValidationError> errors)
    {
        if (stripe is null)
        {
            errors.Add(new(path, "action stripe needs its options: a scheduler"));
            return;
        }

        if (!Enum.IsDefined(stripe.Scheduler))
        {
            errors.Add(new($"{path}.scheduler", $"'{stripe.Scheduler}' is not a known value"));
            return;
        }

        // The link's one rule for scheduler parameters: validate them as the link's own and move the errors here.
        const string LinkParameters = "striper.schedulerParameters";
        var probe = spec with { Striper = spec.Striper! with { Scheduler = stripe.Scheduler, SchedulerParameters = stripe.SchedulerParameters ?? new Dictionary<string, double>() } };
        foreach (var error in LinkSpecValidator.Validate(probe))
        {
            if (error.Path.StartsWith(LinkParameters, StringComparison.Ordinal))
            {
                errors.Add(new($"{path}.schedulerParameters{error.Path[LinkParameters.Length..]}", error.Message));
            }
        }
    }

    private static int MemberIndex(LinkSpec spec, string name)
    {
        for (var i = 0; i < spec.Members.Count; i++)
        {
            if (spec.Members[i]?.Interface == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfValid(IReadOnlyList<string> texts, int validIndex)
    {
        // The n-th text that parsed as a prefix without host bits.
        for (int i = 0, n = 0; i < texts.Count; i++)
        {
            if (MatchSyntax.TryParsePrefix(texts[i], out _, out var hostBits) && !hostBits && n++ == validIndex)
            {
                return i;
            }
        }

        return 0;
    }

    private static string Format(IpPrefix prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        var length = prefix.Ipv6 ? 16 : 4;
        for (var i = 0; i < length; i++)
        {
            bytes[length - 1 - i] = (byte)(prefix.Address >> (8 * i));
        }

        return $"{new System.Net.IPAddress(bytes[..length])}/{prefix.Length}";
    }

    private static string Wire<TEnum>(TEnum value)
        where TEnum : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex NamePattern();
}
