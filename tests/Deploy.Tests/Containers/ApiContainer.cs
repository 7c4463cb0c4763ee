using System.Net;
using System.Net.Http.Headers;
using Fleet.Deploy.Tests.Docker;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// The fleet-api image on the host's network against a PostgreSQL database on the host: `fleet-api migrate` in a
/// one-shot container first, as docs/operations.md says, then the Api on a free port (the host's network has other
/// tenants, so not 8080) with <see cref="RunningApi.AdminApiKey"/> as its bootstrap admin API key, listening on loopback
/// and the addresses the test names only.
/// </summary>
internal sealed class ApiContainer : IDisposable
{
    private readonly HttpClient _http;

    private ApiContainer(string name, int port, string migrationOutput)
    {
        Name = name;
        Port = port;
        MigrationOutput = migrationOutput;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningApi.AdminApiKey);
        Rest = new FleetRest(_http);
    }

    /// <summary>Where the container sees the key ring's certificate.</summary>
    public const string KeyRingPath = "/etc/fleet/key-ring.pfx";

    public string Name { get; }

    public int Port { get; }

    /// <summary>What the migration container printed.</summary>
    public string MigrationOutput { get; }

    /// <summary>REST calls as the bootstrap admin.</summary>
    public FleetRest Rest { get; }

    public HttpClient Http => _http;

    /// <summary>Starts the Api listening on loopback and on <paramref name="addresses"/> (never on every address of this machine).</summary>
    public static async Task<ApiContainer> StartAsync(BuiltImages images, string connectionString, ContainerJanitor janitor, params string[] addresses)
    {
        // The key ring's certificate, as an operator mounts it: readable by the image's user (uid 1654), read-only.
        var certificate = TestCertificates.Write("fleet-container-key-ring");
        File.SetUnixFileMode(certificate, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string[] keyRing = ["--volume", $"{certificate}:{KeyRingPath}:ro", "--env", $"Fleet__DataProtection__CertificatePath={KeyRingPath}"];
        var migrate = await Podman.RunAsync(TimeSpan.FromMinutes(3),
            ["run", "--rm", "--name", janitor.Container("migrate"), "--network", "host",
            .. keyRing, "--env", $"ConnectionStrings__Fleet={connectionString}", images.Api, "migrate"]);
        Assert.True(migrate.ExitCode == 0, migrate.Describe("fleet-api migrate (container)"));

        var port = FreePort.Next();
        var name = janitor.Container("api");
        await Podman.MustAsync([
            "run", "--detach", "--name", name, "--network", "host", .. keyRing,
            "--env", $"ConnectionStrings__Fleet={connectionString}",
            "--env", $"ASPNETCORE_URLS={string.Join(';', addresses.Prepend("127.0.0.1").Select(a => $"http://{a}:{port}"))}",
            "--env", $"Fleet__Bootstrap__AdminApiKey={RunningApi.AdminApiKey}",
            // The image's check probes port 8080; this one listens elsewhere.
            "--health-cmd", $"[\"/usr/local/bin/fleet-healthcheck\", \"http://127.0.0.1:{port}/readyz\"]",
            images.Api]);
        var api = new ApiContainer(name, port, migrate.StandardOutput + migrate.StandardError);
        await api.WaitUntilReadyAsync();
        return api;
    }

    /// <summary>Waits for /readyz to answer 200 (database reachable, schema current).</summary>
    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // A slow first request.
            }

            if (DateTime.UtcNow > deadline)
            {
                var logs = await Podman.RunAsync("logs", "--tail", "40", Name);
                Assert.Fail($"the Api container did not answer /readyz within 3 min:\n{logs.StandardOutput}{logs.StandardError}");
            }

            await Task.Delay(500);
        }
    }

    public void Dispose() => _http.Dispose();
}
