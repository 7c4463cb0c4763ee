using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Metrics;

/// <summary>
/// The <c>Fleet:Metrics</c> section: every link's and member's live counters as OpenTelemetry metrics (OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and a Prometheus scrape endpoint). Off unless <see cref="Enabled"/>: each
/// member is about ten series, and a large fleet is tens of thousands of them.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Fleet:Metrics";

    /// <summary>Publish the live counters (and serve <see cref="ScrapePath"/>).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Limits cardinality to the links of hosts that carry this label: <c>key</c> (any value) or <c>key=value</c>.
    /// Empty: every host.
    /// </summary>
    public string? HostLabel { get; set; }

    /// <summary>Most members published (hosts in name order, their links in name order); the rest are counted as omitted.</summary>
    public int MaxMembers { get; set; } = 10_000;

    /// <summary>Put the host's labels (<c>key=value,…</c>, sorted) on every series as attribute <c>labels</c>.</summary>
    public bool IncludeLabels { get; set; } = true;

    /// <summary>How often the names of hosts, links and members (and their labels) are read from the database.</summary>
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where Prometheus scrapes (API keys of role <c>metrics</c> only). Empty: no scrape endpoint, OTLP only.</summary>
    public string? ScrapePath { get; set; } = "/metrics";

    /// <summary><see cref="HostLabel"/> split into key and value (null value: any), or null when not set.</summary>
    public (string Key, string? Value)? ParsedHostLabel()
    {
        if (string.IsNullOrWhiteSpace(HostLabel))
        {
            return null;
        }

        var separator = HostLabel.IndexOf('=', StringComparison.Ordinal);
        return separator < 0 ? (HostLabel.Trim(), null) : (HostLabel[..separator].Trim(), HostLabel[(separator + 1)..].Trim());
    }
}

/// <summary>Checks <see cref="MetricsOptions"/> at start and reports every error at once.</summary>
internal sealed partial class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <summary>Paths the Api serves itself; the scrape endpoint may not hide one of them.</summary>
    private static readonly string[] s_taken = ["/api", "/hubs", "/account", "/openapi", "/_content", "/_framework", "/healthz", "/readyz"];

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new List<string>();
        if (options.ParsedHostLabel() is var (key, value) && (!LabelKey().IsMatch(key) || value is { Length: 0 or > 200 }))
        {
            errors.Add($"{MetricsOptions.Section}:HostLabel must be 'key' or 'key=value' (key: letters, digits, '.', '-', '_', '/', up to 63; value: 1…200 characters)");
        }

        if (options.MaxMembers is < 1 or > 1_000_000)
        {
            errors.Add($"{MetricsOptions.Section}:MaxMembers must be 1…1000000");
        }

        if (options.CatalogRefresh < TimeSpan.FromSeconds(1) || options.CatalogRefresh > TimeSpan.FromHours(1))
        {
            errors.Add($"{MetricsOptions.Section}:CatalogRefresh must be 00:00:01…01:00:00");
        }

        if (!string.IsNullOrEmpty(options.ScrapePath)
            && (!options.ScrapePath.StartsWith('/') || options.ScrapePath == "/" || options.ScrapePath.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || IsTaken(options.ScrapePath)))
        {
            errors.Add($"{MetricsOptions.Section}:ScrapePath must start with '/', contain no spaces and not lie under {string.Join(", ", s_taken)}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsTaken(string path) =>
        s_taken.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase) || path.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex LabelKey();
}
