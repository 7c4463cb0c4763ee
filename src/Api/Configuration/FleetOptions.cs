using Fleet.Api.Security;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Configuration;

/// <summary>The <c>Fleet</c> configuration section (docs/architecture.md, "Api configuration").</summary>
public sealed class FleetOptions
{
    public const string Section = "Fleet";
    public const string DefaultDataDirectory = "./data";

    /// <summary>Where the SQLite database lives (when no PostgreSQL connection string is set).</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    public BootstrapOptions Bootstrap { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    public RequestLimitOptions Limits { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public ReverseProxyOptions ReverseProxy { get; set; } = new();

    public LiveOptions Live { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    public KeyRingOptions DataProtection { get; set; } = new();
}

/// <summary>
/// The data-protection key ring (session cookies, antiforgery tokens, striper pre-shared keys), kept in the database:
/// encrypted at rest with a certificate (docs/operations.md, "Secrets at rest").
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>
    /// The certificate that encrypts the key ring: a PKCS#12 file (<c>.pfx</c>) with its private key, or, with
    /// <see cref="CertificateKeyPath"/>, a PEM certificate. Required outside Development unless
    /// <see cref="AllowUnencryptedKeyRing"/>. Every replica of a deployment needs the same one.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/> (e.g. a Kubernetes TLS secret's <c>tls.key</c>).</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key; none when absent.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Lets the Api start outside Development with no certificate, storing the key ring unencrypted (with a warning
    /// at every start). For demos only: anyone who can read the database can then read sessions and striper keys.
    /// </summary>
    public bool AllowUnencryptedKeyRing { get; set; }
}

/// <summary>Dashboard sessions and hub connections.</summary>
public sealed class SecurityOptions
{
    /// <summary>A session unused this long ends (sliding: each use renews it).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after its login however much it is used.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How often open hub connections are checked against the database (revoked keys and credentials, disabled users,
    /// changed roles, ended sessions). A change made on this replica closes them at once; this catches the rest.
    /// </summary>
    public TimeSpan HubRevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The live hub (<c>/hubs/live</c>).</summary>
public sealed class LiveOptions
{
    /// <summary>How long a push to a dashboard may wait to be written before that dashboard is dropped (it stopped reading).</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Reverse proxies in front of the Api. Only when some are listed does the Api believe <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c>, and only from them: client addresses (rate limits, logs) and the scheme (Secure cookies)
/// then come from the proxy's headers.
/// </summary>
public sealed class ReverseProxyOptions
{
    /// <summary>Proxy addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/24</c>, <c>fd00::/64</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>How many proxies in a chain to unwrap (entries taken from the end of X-Forwarded-For).</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>What the first start on an empty database creates.</summary>
public sealed class BootstrapOptions
{
    /// <summary>Password of the first <c>admin</c> user; generated and printed once when absent.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>When set, an admin API key with exactly this secret (<c>fleet_k_…</c>) is created if it does not exist.</summary>
    public string? AdminApiKey { get; set; }
}

public sealed class DatabaseOptions
{
    /// <summary>Apply pending migrations at start. Default: yes on SQLite, no on PostgreSQL (run <c>fleet-api migrate</c>).</summary>
    public bool? MigrateOnStart { get; set; }
}

public sealed class RequestLimitOptions
{
    /// <summary>Largest request body the REST API reads, in bytes; larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Page size when the client gives none.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Largest page size a client may ask for.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Most points one samples request may return (members × points); larger ranges need a coarser resolution.</summary>
    public int MaxSamplePoints { get; set; } = 50_000;
}

public sealed class RateLimitOptions
{
    /// <summary>Login attempts per client address per minute.</summary>
    public int LoginPerMinute { get; set; } = 10;

    /// <summary>Login attempts per account (user name) per minute, from all addresses together.</summary>
    public int LoginPerAccountPerMinute { get; set; } = 10;

    /// <summary>Enrollment attempts per client address per minute.</summary>
    public int EnrollPerMinute { get; set; } = 60;
}

public sealed class RetentionOptions
{
    public TimeSpan RawSamples { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan MinuteRollups { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan HourRollups { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan Events { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>Reports every problem with <see cref="FleetOptions"/> at start, not just the first.</summary>
internal sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Fleet:DataDirectory must not be empty.");
        }

        if (options.Bootstrap.AdminPassword is { } password && password.Length < PasswordRules.MinLength)
        {
            errors.Add($"Fleet:Bootstrap:AdminPassword must be at least {PasswordRules.MinLength} characters.");
        }

        if (options.Bootstrap.AdminApiKey is { } key && !Secrets.IsWellFormed(key, Secrets.ApiKeyPrefix))
        {
            errors.Add($"Fleet:Bootstrap:AdminApiKey must be '{Secrets.ApiKeyPrefix}' followed by at least {Secrets.MinRandomChars} base64url characters.");
        }

        Range(errors, "Fleet:Limits:MaxRequestBodyBytes", options.Limits.MaxRequestBodyBytes, 1024, 16 * 1024 * 1024);
        Range(errors, "Fleet:Limits:MaxPageSize", options.Limits.MaxPageSize, 1, 10_000);
        Range(errors, "Fleet:Limits:DefaultPageSize", options.Limits.DefaultPageSize, 1, options.Limits.MaxPageSize);
        Range(errors, "Fleet:Limits:MaxSamplePoints", options.Limits.MaxSamplePoints, 100, 10_000_000);
        Range(errors, "Fleet:RateLimits:LoginPerMinute", options.RateLimits.LoginPerMinute, 1, 1_000_000);
        Range(errors, "Fleet:RateLimits:EnrollPerMinute", options.RateLimits.EnrollPerMinute, 1, 1_000_000);
        Range(errors, "Fleet:RateLimits:LoginPerAccountPerMinute", options.RateLimits.LoginPerAccountPerMinute, 1, 1_000_000);
        Between(errors, "Fleet:Security:SessionIdleTimeout", options.Security.SessionIdleTimeout, TimeSpan.FromMinutes(1), options.Security.SessionLifetime);
        Between(errors, "Fleet:Security:SessionLifetime", options.Security.SessionLifetime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(30));
        Between(errors, "Fleet:Security:HubRevalidationInterval", options.Security.HubRevalidationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Positive(errors, "Fleet:Retention:RawSamples", options.Retention.RawSamples);
        Positive(errors, "Fleet:Retention:MinuteRollups", options.Retention.MinuteRollups);
        Positive(errors, "Fleet:Retention:HourRollups", options.Retention.HourRollups);
        Positive(errors, "Fleet:Retention:Events", options.Retention.Events);

        // Rollups are computed from the finer table, so it must still hold a bucket's rows when the coarser one is
        // recomputed (the rollup job never recomputes an hour older than minute retention).
        if (options.Retention.MinuteRollups < options.Retention.RawSamples + TimeSpan.FromHours(1))
        {
            errors.Add($"Fleet:Retention:MinuteRollups ({options.Retention.MinuteRollups}) must be at least an hour longer than Fleet:Retention:RawSamples ({options.Retention.RawSamples}).");
        }

        if (options.Retention.HourRollups < options.Retention.MinuteRollups)
        {
            errors.Add($"Fleet:Retention:HourRollups ({options.Retention.HourRollups}) must not be shorter than Fleet:Retention:MinuteRollups ({options.Retention.MinuteRollups}).");
        }
        Range(errors, "Fleet:ReverseProxy:ForwardLimit", options.ReverseProxy.ForwardLimit, 1, 10);
        Between(errors, "Fleet:Live:SendTimeout", options.Live.SendTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        for (var i = 0; i < options.ReverseProxy.KnownProxies.Count; i++)
        {
            var proxy = options.ReverseProxy.KnownProxies[i];
            if (!System.Net.IPAddress.TryParse(proxy, out _) && !System.Net.IPNetwork.TryParse(proxy, out _))
            {
                errors.Add($"Fleet:ReverseProxy:KnownProxies:{i} must be an IP address or a network in CIDR form (is '{proxy}').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (is {value}).");
        }
    }

    private static void Between(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (is {value}).");
        }
    }

    private static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be a positive duration (is {value}).");
        }
    }
}
