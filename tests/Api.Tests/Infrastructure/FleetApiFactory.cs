using System.Net.Http.Headers;
using Fleet.Api.Data;
using Fleet.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// The Api in-process on real Kestrel (a loopback port), so request-size limits, connection handling and the real
/// HTTP stack apply, with access to its services (endpoint data source, clock). For a separate process use
/// <see cref="ApiProcess"/>.
/// </summary>
public sealed class FleetApiFactory : WebApplicationFactory<Program>
{
    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;

    private readonly string _environment;

    public FleetApiFactory(TestDatabase database, FakeTimeProvider? clock = null, IDictionary<string, string?>? settings = null, string environment = "Production")
    {
        _database = database;
        _environment = environment;
        Clock = clock;
        AdminApiKey = ApiProcess.NewApiKey();
        _settings = new Dictionary<string, string?>
        {
            ["Fleet:Bootstrap:AdminApiKey"] = AdminApiKey,
            ["Fleet:Bootstrap:AdminPassword"] = AdminPassword,
            ["Fleet:RateLimits:EnrollPerMinute"] = "100000",
            ["Fleet:RateLimits:LoginPerMinute"] = "100000",
            ["Fleet:Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:Fleet"] = database.Provider == DatabaseProvider.Postgres ? database.Database.ConnectionString : "",
            ["Fleet:DataDirectory"] = database.DataDirectory ?? Path.GetTempPath(),
            ["Fleet:DataProtection:CertificatePath"] = TestCertificates.KeyRingPfx,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public const string AdminPassword = "correct horse battery staple";

    public string AdminApiKey { get; }

    public FakeTimeProvider? Clock { get; }

    public TestDatabase Database => _database;

    /// <summary>Starts Kestrel and returns its base address.</summary>
    public Uri Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    /// <summary>A client for the running server with <c>Authorization: Bearer</c> (the admin key by default; none when empty).</summary>
    public HttpClient CreateBearerClient(string? bearer = null)
    {
        var baseAddress = Start();
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var secret = bearer ?? AdminApiKey;
        if (secret.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (Clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            }
        });
    }
}
