using Fleet.Contracts.Links.Kinds;
namespace Fleet.Contracts.Links.Validation;

public static partial class LinkSpecValidator
{
    /// <summary>Pre-shared key length in bytes (AES-256 / ChaCha20 key size; HKDF input).</summary>
    public const int StriperKeyBytes = 32;

    /// <summary>Scheduler parameters each scheduler accepts, with their ranges (min exclusive or inclusive as noted).</summary>
    private static readonly Dictionary<StripeSchedulerKind, (string Name, double Min, double Max, bool Integer)[]> s_schedulerParameters = new()
    {
        [StripeSchedulerKind.RoundRobin] = [],
        [StripeSchedulerKind.Weighted] = [("quantumBytes", 64, 1_048_576, true)],
        [StripeSchedulerKind.BwPoll] = [("decay", 0.001, 0.999, false)],
        [StripeSchedulerKind.EarliestArrival] = [],
        [StripeSchedulerKind.BwLag] = [],
        [StripeSchedulerKind.Adaptive] = [("smoothing", 0.001, 1, false)],
        [StripeSchedulerKind.Redundant] = [("copies", 0, MaxMembers, true)],
        [StripeSchedulerKind.ActiveBackup] = [],
    };

    internal static void ValidateStriper(LinkSpec spec, SpecErrors errors)
    {
        var striper = spec.Striper;
        if (striper is null)
        {
            errors.Add(StriperFields.Options, "striper options are required for kind striper");
        }
        else
        {
            errors.Defined(StriperFields.Scheduler, (StripeSchedulerKind?)striper.Scheduler);
            errors.Defined(StriperFields.Cipher, (StriperCipher?)striper.Cipher);
            ValidateKey(striper.Key, errors);
            ValidateSchedulerParameters(striper, errors);
            ValidateTrafficPolicy(spec, striper, errors);
            errors.Range(StriperFields.ProbeIntervalMs, striper.ProbeIntervalMs, 10, 10_000, " ms");
            errors.Range(StriperFields.MaxHoldMs, striper.MaxHoldMs, 1, 5_000, " ms");
            errors.Range(StriperFields.RekeyIntervalSeconds, striper.RekeyIntervalSeconds, 10, 86_400, " seconds");
            errors.Range(StriperFields.DownAfterMissedProbes, striper.DownAfterMissedProbes, 1, 100);
            errors.Range(StriperFields.UpAfterProbes, striper.UpAfterProbes, 1, 100);
            errors.Range(StriperFields.DegradedLossPercent, striper.DegradedLossPercent, 0, 100);
            errors.Range(StriperFields.SiteId, striper.SiteId, 1, int.MaxValue);
        }

        var members = spec.Members ?? [];
        // Each path's socket is bound to its member's device (SO_BINDTODEVICE), so members on different interfaces may
        // listen on the same port; only two members with the same explicit address and port would collide.
        var localPorts = new HashSet<(string, int)>();
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is not { } member)
            {
                continue;
            }

            var path = $"members[{i}]";
            errors.Range($"{path}.localPort", member.LocalPort, 1, 65535);
            var peer = errors.Endpoint($"{path}.peer", member.Peer);
            if (member.LocalPort is null && member.Peer is null)
            {
                errors.Add(path, "a striper path needs a localPort to listen on, a peer to send to, or both");
            }

            if (member.LocalPort is { } port && member.Address is { } address && !localPorts.Add((address, port)))
            {
                errors.Add($"{path}.localPort", $"port {port} is used by another member on the same address");
            }

            if (peer is not null && member.Address is not null && StrictIp.TryParse(member.Address, out var local)
                && local.AddressFamily != peer.AddressFamily)
            {
                errors.Add($"{path}.peer", "the peer's address family differs from the member's address");
            }
        }
    }

    private static void ValidateKey(string? key, SpecErrors errors)
    {
        if (string.IsNullOrEmpty(key))
        {
            errors.Add(StriperFields.Key, $"a pre-shared key is required: base64 of {StriperKeyBytes} random bytes");
            return;
        }

        var buffer = new byte[(key.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(key, buffer, out var length))
        {
            errors.Add(StriperFields.Key, "the key is not valid base64");
        }
        else if (length != StriperKeyBytes)
        {
            errors.Add(StriperFields.Key, $"the key must be {StriperKeyBytes} bytes, not {length}");
        }
        else if (buffer.AsSpan(0, length).IndexOfAnyExcept((byte)0) < 0)
        {
            errors.Add(StriperFields.Key, "the key is all zeros");
        }
    }

    private static void ValidateSchedulerParameters(StriperOptions striper, SpecErrors errors)
    {
        var parameters = striper.SchedulerParameters ?? new Dictionary<string, double>();
        if (!s_schedulerParameters.TryGetValue(striper.Scheduler, out var known))
        {
            return;
        }

        foreach (var (name, value) in parameters)
        {
            var path = $"striper.schedulerParameters.{name}";
            var match = Array.Find(known, k => k.Name == name);
            if (match.Name is null)
            {
                var accepted = known.Length == 0 ? "none" : string.Join(", ", known.Select(k => k.Name));
                errors.Add(path, $"unknown parameter for scheduler {SchedulerName(striper.Scheduler)}; it accepts: {accepted}");
                continue;
            }

            if (!double.IsFinite(value) || value < match.Min || value > match.Max)
            {
                errors.Add(path, $"must be between {match.Min} and {match.Max}");
            }
            else if (match.Integer && value != Math.Floor(value))
            {
                errors.Add(path, "must be a whole number");
            }
        }

        if (striper.Scheduler == StripeSchedulerKind.Redundant && parameters.TryGetValue("copies", out var copies) && copies == 1)
        {
            errors.Add("striper.schedulerParameters.copies", "redundant means at least 2 copies (0 = every path)");
        }
    }

    /// <summary>The wire name of a scheduler (<c>round_robin</c>, <c>earliest_arrival</c>).</summary>
    public static string SchedulerName(StripeSchedulerKind kind) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
