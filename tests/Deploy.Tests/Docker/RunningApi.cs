using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>
/// The real fleet-api (this configuration's build) on a free loopback port, with SQLite in a temporary folder and
/// <see cref="AdminApiKey"/> as its bootstrap admin API key (Fleet:Bootstrap:AdminApiKey), its key ring encrypted with
/// the test run's certificate as production requires.
/// </summary>
public sealed class RunningApi : IAsyncLifetime
{
    public const string AdminApiKey = "fleet_k_deploy-tests-only-0123456789abcdefghijklmno";

    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("fleet-api-health-");
    private Process? _process;

    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var assembly = Repository.PathOf("src", "Api", "bin", Repository.Configuration, "net10.0", "fleet-api.dll");
        Assert.True(File.Exists(assembly), $"{assembly} is missing: the test project builds src/Api first");
        var port = FreeLoopbackPort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly, "--urls", BaseAddress.ToString() },
            WorkingDirectory = _dataDirectory.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Fleet__DataDirectory"] = _dataDirectory.FullName;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Fleet__Bootstrap__AdminApiKey"] = AdminApiKey;
        start.Environment["Fleet__DataProtection__CertificatePath"] = TestCertificates.KeyRingPfx;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            Assert.False(_process.HasExited, $"fleet-api exited with {(_process.HasExited ? _process.ExitCode : 0)} while starting");
            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "/healthz"));
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
                // Slow first request.
            }

            Assert.True(DateTime.UtcNow < deadline, "fleet-api did not answer /healthz within 90 s");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _dataDirectory.Delete(recursive: true);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
