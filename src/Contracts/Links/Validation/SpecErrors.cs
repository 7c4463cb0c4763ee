using System.Net;
using System.Net.Sockets;

namespace Fleet.Contracts.Links.Validation;

/// <summary>Collects every error of one validation run, with helpers for the checks specs repeat.</summary>
internal sealed class SpecErrors
{
    private readonly List<ValidationError> _errors = [];

    public IReadOnlyList<ValidationError> Errors => _errors;

    /// <summary>The errors one rule finds in <paramref name="spec"/>.</summary>
    public static IReadOnlyList<ValidationError> Run(LinkSpec spec, Action<LinkSpec, SpecErrors> rule)
    {
        var errors = new SpecErrors();
        rule(spec, errors);
        return errors.Errors;
    }

    public void AddRange(IEnumerable<ValidationError> errors) => _errors.AddRange(errors);

    public void Add(string path, string message) => _errors.Add(new ValidationError(path, message));

    public void InterfaceName(string path, string? name)
    {
        if (Validation.InterfaceName.Check(name) is { } reason)
        {
            Add(path, reason);
        }
    }

    public void Range(string path, long? value, long min, long max, string unit = "")
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(path, $"must be between {min} and {max}{unit}");
        }
    }

    public void Range(string path, double? value, double minExclusive, double maxInclusive)
    {
        if (value is not { } v)
        {
            return;
        }

        if (!double.IsFinite(v) || v <= minExclusive || v > maxInclusive)
        {
            Add(path, $"must be greater than {minExclusive} and at most {maxInclusive}");
        }
    }

    public void Defined<TEnum>(string path, TEnum? value)
        where TEnum : struct, Enum
    {
        if (value is { } v && !Enum.IsDefined(v))
        {
            Add(path, $"'{v}' is not a known value");
        }
    }

    public IPAddress? IpAddress(string path, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!StrictIp.TryParse(value, out var address))
        {
            Add(path, $"'{value}' is not an IP address");
            return null;
        }

        return address;
    }

    public void Cidr(string path, string? value)
    {
        // IPNetwork.TryParse rejects host bits (10.0.0.1/24), which interface addresses have, so parse by hand.
        if (!TryParseInterfaceCidr(value))
        {
            Add(path, $"'{value}' is not an address with a prefix length (e.g. 10.9.0.1/30)");
        }
    }

    public IPEndPoint? Endpoint(string path, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!StrictIp.TryParseEndpoint(value, out var endpoint))
        {
            Add(path, $"'{value}' is not an endpoint 'address:port' with a port 1-65535 (IPv6 in brackets)");
            return null;
        }

        return endpoint;
    }

    private static bool TryParseInterfaceCidr(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            return false;
        }

        if (!StrictIp.TryParse(value[..slash], out var address))
        {
            return false;
        }

        var prefixText = value.AsSpan(slash + 1);
        if (prefixText.Length > 3 || !int.TryParse(prefixText, System.Globalization.NumberStyles.None, null, out var prefix))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return prefix <= max;
    }
}
