using System.Text.RegularExpressions;
using Fleet.Contracts.Links.Classes;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Links.Validation;

/// <summary>
/// The rules of a striper link's traffic policy (<c>members[i].tier</c>, <c>striper.classes</c>), all errors at once,
/// each at its JSON path (<c>members[2].tier</c>, <c>striper.classes[0].match.destinationPorts[1]</c>): invalid
/// fields, overlapping entries within a list, a class that can never match because an earlier class takes all its
/// packets, and options that do not fit the action. Partial overlaps between classes are allowed: the list is ordered
/// and the first match wins, which is how a specific class goes before a general one.
/// </summary>
public static partial class LinkSpecValidator
{
    /// <summary>Most classes a link may have (class ids 1–32 travel in one byte on the wire).</summary>
    public const int MaxClasses = 32;

    /// <summary>Largest FEC block delay bound, ms.</summary>
    public const int MaxFecDelayMs = 1000;

    /// <summary>Tiers exist for striper links only; any other kind has none.</summary>
    private static void RefuseTiers(IReadOnlyList<MemberSpec?> members, SpecErrors errors)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i]?.Tier is not null)
            {
                errors.Add($"members[{i}].{MemberFields.Tier}", $"tiers apply to {KindsWith(MemberFields.Tier)} links only");
            }
        }
    }

    private static void ValidateTrafficPolicy(LinkSpec spec, StriperOptions striper, SpecErrors errors)
    {
        var members = spec.Members ?? [];
        ValidateTiers(members, errors);
        var classes = striper.Classes ?? [];
        if (classes.Count > MaxClasses)
        {
            errors.Add(StriperFields.Classes, $"at most {MaxClasses} classes");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new ClassMatch?[classes.Count];
        for (var i = 0; i < classes.Count; i++)
        {
            var path = $"striper.classes[{i}]";
            if (classes[i] is not { } trafficClass)
            {
                errors.Add(path, "a class is required");
                continue;
            }

            if (trafficClass.Name is null || !ClassNamePattern().IsMatch(trafficClass.Name))
            {
                errors.Add($"{path}.name", "1–32 lower-case letters, digits, '-' or '_', starting with a letter");
            }
            else if (trafficClass.Name == "default")
            {
                errors.Add($"{path}.name", "'default' names the class of packets no class matches");
            }
            else if (!names.Add(trafficClass.Name))
            {
                errors.Add($"{path}.name", $"another class is named '{trafficClass.Name}'");
            }

            compiled[i] = ValidateMatch(trafficClass.Match ?? new TrafficMatch(), $"{path}.match", errors);
            var candidates = ValidateClassMembers(trafficClass, members, path, errors);
            ValidateAction(trafficClass, members, striper, candidates, path, errors);
        }

        for (var i = 0; i < compiled.Length; i++)
        {
            for (var j = 0; j < i && compiled[i] is not null; j++)
            {
                if (compiled[j] is { } earlier && MatchCoverage.Covers(earlier, compiled[i]!))
                {
                    errors.Add($"striper.classes[{i}].match", $"never matches: every packet it matches is taken first by classes[{j}] ('{classes[j].Name}')");
                    break;
                }
            }
        }
    }

    private static void ValidateTiers(IReadOnlyList<MemberSpec?> members, SpecErrors errors)
    {
        var carriers = 0;
        var enabled = 0;
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is not { } member)
            {
                continue;
            }

            if (member.Tier is { } t && !Enum.IsDefined(t))
            {
                errors.Add($"members[{i}].tier", $"'{t}' is not a known value");
                continue;
            }

            if (member.Tier is { } given && given != LinkTier.Backup && member.AdminState == MemberAdminState.Backup)
            {
                errors.Add($"members[{i}].tier", $"adminState backup is tier backup; tier {Wire(given)} contradicts it");
            }

            if (member.AdminState != MemberAdminState.Disabled)
            {
                enabled++;
                if (LinkTiers.Of(member) != LinkTier.Never)
                {
                    carriers++;
                }
            }
        }

        if (enabled > 0 && carriers == 0)
        {
            errors.Add("members", "every enabled member is tier never: nothing could carry data");
        }
    }

    private static ClassMatch? ValidateMatch(TrafficMatch match, string path, SpecErrors errors)
    {
        var before = errors.Errors.Count;
        var protocol = -1;
        if (match.Protocol is not null && !MatchSyntax.TryParseProtocol(match.Protocol, out protocol))
        {
            errors.Add($"{path}.protocol", $"'{match.Protocol}' is not tcp, udp, icmp, icmpv6 or a number 0–255");
        }

        var sources = ValidatePrefixes(match.SourcePrefixes ?? [], $"{path}.sourcePrefixes", errors);
        var destinations = ValidatePrefixes(match.DestinationPrefixes ?? [], $"{path}.destinationPrefixes", errors);
        if (sources.Count > 0 && destinations.Count > 0 && !sources.Any(s => destinations.Any(d => d.Ipv6 == s.Ipv6)))
        {
            errors.Add($"{path}.destinationPrefixes", "no destination prefix is of a source prefix's address family: the class can never match");
        }

        var ports = (match.SourcePorts?.Count ?? 0) + (match.DestinationPorts?.Count ?? 0);
        ValidatePorts(match.SourcePorts ?? [], $"{path}.sourcePorts", errors);
        ValidatePorts(match.DestinationPorts ?? [], $"{path}.destinationPorts", errors);
        if (ports > 0 && protocol != MatchSyntax.ProtocolTcp && protocol != MatchSyntax.ProtocolUdp)
        {
            errors.Add((match.SourcePorts?.Count ?? 0) > 0 ? $"{path}.sourcePorts" : $"{path}.destinationPorts", "ports need protocol tcp or udp");
        }

        var dscp = match.Dscp ?? [];
        var seen = 0UL;
        for (var i = 0; i < dscp.Count; i++)
        {
            if (dscp[i] is < 0 or > 63)
            {
                errors.Add($"{path}.dscp[{i}]", "a DSCP value is 0–63");
            }
            else if ((seen & (1UL << dscp[i])) != 0)
            {
                errors.Add($"{path}.dscp[{i}]", $"DSCP {dscp[i]} is listed twice");
            }
            else
            {
                seen |= 1UL << dscp[i];
            }
        }

        return errors.Errors.Count == before ? new ClassMatch(match) : null;
    }

    private static List<IpPrefix> ValidatePrefixes(IReadOnlyList<string> texts, string path, SpecErrors errors)
    {
        var prefixes = new List<IpPrefix>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!MatchSyntax.TryParsePrefix(texts[i], out var prefix, out var hostBits))
            {
                errors.Add($"{path}[{i}]", $"'{texts[i]}' is not a network in CIDR form (10.1.0.0/16, 2001:db8::/32)");
                continue;
            }

            if (hostBits)
            {
                errors.Add($"{path}[{i}]", $"'{texts[i]}' has host bits set: the network is {Format(prefix)}");
                continue;
            }

            var overlap = prefixes.FindIndex(p => p.Covers(prefix) || prefix.Covers(p));
            if (overlap >= 0)
            {
                errors.Add($"{path}[{i}]", $"overlaps another entry of the list ({texts[IndexOfValid(texts, overlap)]})");
                continue;
            }

            prefixes.Add(prefix);
        }

        return prefixes;
    }

    private static void ValidatePorts(IReadOnlyList<string> texts, string path, SpecErrors errors)
    {
        var ranges = new List<(PortRange Range, string Text)>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!MatchSyntax.TryParsePortRange(texts[i], out var range))
            {
                errors.Add($"{path}[{i}]", $"'{texts[i]}' is not a port (0–65535) or a range low-high");
                continue;
            }

            var overlap = ranges.FindIndex(r => r.Range.Overlaps(range));
            if (overlap >= 0)
            {
                errors.Add($"{path}[{i}]", $"overlaps another entry of the list ({ranges[overlap].Text})");
                continue;
            }

            ranges.Add((range, texts[i]));
        }
    }

    /// <summary>Checks the class's member names; returns how many members the class may use.</summary>
    private static int ValidateClassMembers(TrafficClassSpec trafficClass, IReadOnlyList<MemberSpec?> members, string path, SpecErrors errors)
    {
        var names = trafficClass.Members ?? [];
        if (names.Count == 0)
        {
            var all = 0;
            for (var m = 0; m < members.Count; m++)
            {
                if (members[m] is { } member && LinkTiers.Of(member) != LinkTier.Never)
                {
                    all++;
                }
            }

            return all;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var index = MemberIndex(members, names[i]);
            if (index < 0)
            {
                errors.Add($"{path}.members[{i}]", $"'{names[i]}' is not a member of the link");
            }
            else if (!seen.Add(names[i]))
            {
                errors.Add($"{path}.members[{i}]", $"'{names[i]}' is listed twice");
            }
            else if (LinkTiers.Of(members[index]!) == LinkTier.Never)
            {
                errors.Add($"{path}.members[{i}]", $"'{names[i]}' is tier never: it carries no data");
            }
        }

        return seen.Count;
    }

    private static void ValidateAction(TrafficClassSpec trafficClass, IReadOnlyList<MemberSpec?> members, StriperOptions striper, int candidates, string path, SpecErrors errors)
    {
        if (!Enum.IsDefined(trafficClass.Action))
        {
            errors.Add($"{path}.action", $"'{trafficClass.Action}' is not a known value");
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
                errors.Add($"{path}.{Wire(action)}", $"options of action {Wire(action)}, but the class's action is {Wire(trafficClass.Action)}");
            }
        }

        switch (trafficClass.Action)
        {
            case TrafficAction.Stripe:
                ValidateStripe(trafficClass.Stripe, striper, $"{path}.stripe", errors);
                break;
            case TrafficAction.Pin:
                if (trafficClass.Pin?.Member is { } member
                    && (MemberIndex(members, member) < 0 || (trafficClass.Members is { Count: > 0 } list && !list.Contains(member))))
                {
                    errors.Add($"{path}.pin.member", $"'{member}' is not one of the class's members");
                }

                break;
            case TrafficAction.Duplicate:
                var copies = trafficClass.Duplicate?.Copies ?? DuplicateClassOptions.DefaultCopies;
                if (copies is 1 or < 0 or > MaxMembers)
                {
                    errors.Add($"{path}.duplicate.copies", $"0 (every member) or 2–{MaxMembers}");
                }
                else if (copies > candidates)
                {
                    errors.Add($"{path}.duplicate.copies", $"{copies} copies, but the class has {candidates} members to carry them");
                }

                break;
            case TrafficAction.Fec:
                var fec = trafficClass.Fec ?? new FecClassOptions();
                if (!double.IsFinite(fec.TargetLossPercent) || fec.TargetLossPercent is <= 0 or > 10)
                {
                    errors.Add($"{path}.fec.targetLossPercent", "must be greater than 0 and at most 10");
                }

                if (fec.MaxDelayMs is < 1 or > MaxFecDelayMs)
                {
                    errors.Add($"{path}.fec.maxDelayMs", $"must be between 1 and {MaxFecDelayMs} ms");
                }

                if (!double.IsFinite(fec.MaxOverheadPercent) || fec.MaxOverheadPercent is <= 0 or > 100)
                {
                    errors.Add($"{path}.fec.maxOverheadPercent", "must be greater than 0 and at most 100");
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(trafficClass), trafficClass.Action, "unknown action");
        }
    }

    private static void ValidateStripe(StripeClassOptions? stripe, StriperOptions striper, string path, SpecErrors errors)
    {
        if (stripe is null)
        {
            errors.Add(path, "action stripe needs its options: a scheduler");
            return;
        }

        if (!Enum.IsDefined(stripe.Scheduler))
        {
            errors.Add($"{path}.scheduler", $"'{stripe.Scheduler}' is not a known value");
            return;
        }

        // The link's one rule for scheduler parameters: check them as the link's own and move the errors here.
        const string LinkParameters = StriperFields.SchedulerParameters;
        var probe = new SpecErrors();
        ValidateSchedulerParameters(striper with { Scheduler = stripe.Scheduler, SchedulerParameters = stripe.SchedulerParameters ?? new Dictionary<string, double>() }, probe);
        foreach (var error in probe.Errors)
        {
            errors.Add(error.Path.StartsWith(LinkParameters, StringComparison.Ordinal) ? $"{path}.schedulerParameters{error.Path[LinkParameters.Length..]}" : $"{path}.schedulerParameters", error.Message);
        }
    }

    private static int MemberIndex(IReadOnlyList<MemberSpec?> members, string name)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i]?.Interface == name)
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
    private static partial Regex ClassNamePattern();
}
