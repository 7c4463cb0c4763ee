using System.Diagnostics;
using Fleet.Deploy.Tests.Compose;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// docker-compose.yml brought up for real: Debian's <c>docker-compose</c> (1.29) against podman's Docker-compatible API
/// (<c>podman system service</c> on a socket of this run). Not podman-compose 1.0.3, which ignores what the demo
/// relies on: <c>depends_on</c> conditions, the path networks' subnets and fixed addresses, and it leaves the networks
/// behind on <c>down</c> (docs/operations.md, "Containers"). podman runs health checks from systemd timers, and the
/// build machines have no systemd: <see cref="StartAsync"/> also starts a loop that runs the project's health checks
/// every two seconds, in systemd's place, so that <c>service_healthy</c> conditions resolve.
/// </summary>
internal sealed class ComposeEngine : IAsyncDisposable
{
    public const string Executable = "/usr/bin/docker-compose";

    private readonly Process _service;
    private readonly string _directory;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _healthLoop;
    private readonly Dictionary<string, string?> _environment;

    private ComposeEngine(Process service, string directory, string project, Dictionary<string, string?> environment)
    {
        _service = service;
        _directory = directory;
        Project = project;
        _environment = environment;
        _healthLoop = Task.Run(() => RunHealthChecksAsync(_stop.Token));
    }

    public string Project { get; }

    /// <summary>Starts the API service and the health-check loop for the compose project <paramref name="project"/>.</summary>
    public static async Task<ComposeEngine> StartAsync(string project, IReadOnlyDictionary<string, string> settings)
    {
        var directory = Directory.CreateTempSubdirectory("fleet-compose-engine-").FullName;
        var socket = Path.Combine(directory, "podman.sock");
        var start = new ProcessStartInfo(Podman.Executable)
        {
            ArgumentList = { "system", "service", "--time=0", $"unix://{socket}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CONTAINERS_CONF"] = Podman.ConfigFile;
        var service = Process.Start(start)!;
        service.OutputDataReceived += (_, _) => { };
        service.ErrorDataReceived += (_, _) => { };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();

        var environment = Podman.Environment();
        environment["DOCKER_HOST"] = $"unix://{socket}";
        environment["COMPOSE_PROJECT_NAME"] = project;
        // The Compose file's own variables, nothing inherited (a developer's FLEET_* must not leak into the run).
        foreach (var variable in new[] { "FLEET_VERSION", "FLEET_HTTP_PORT", "FLEET_POSTGRES_PASSWORD", "FLEET_ADMIN_API_KEY", "FLEET_BASE_IMAGE", "FLEET_PROMETHEUS_PORT" })
        {
            environment[variable] = null;
        }

        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(socket))
        {
            Assert.False(service.HasExited, "podman system service exited at start");
            Assert.True(DateTime.UtcNow < deadline, "podman system service did not create its socket within 60 s");
            await Task.Delay(200);
        }

        return new ComposeEngine(service, directory, project, environment);
    }

    /// <summary>Runs <c>docker-compose -f docker-compose.yml -f deploy/compose/local-base.yml ARGS</c> from the repository root.</summary>
    public Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] arguments) =>
        ExternalProcess.RunAsync(Executable, ["-f", ComposeFile.MainFile, "-f", ComposeFile.LocalBaseFile, .. arguments], timeout, _environment);

    public async Task MustAsync(TimeSpan timeout, params string[] arguments)
    {
        var result = await RunAsync(timeout, arguments);
        Assert.True(result.ExitCode == 0, result.Describe($"docker-compose {string.Join(' ', arguments)}") + "\n" + await LogsAsync());
    }

    /// <summary>The project's containers and their logs' last lines, for a failure message.</summary>
    public async Task<string> LogsAsync()
    {
        var ps = await Podman.RunAsync("ps", "--all", "--filter", $"label=com.docker.compose.project={Project}", "--format", "{{.Names}} {{.Status}}");
        var logs = await RunAsync(TimeSpan.FromMinutes(1), "logs", "--no-color", "--tail", "15");
        return $"--- containers ---\n{ps.StandardOutput}--- logs ---\n{logs.StandardOutput}";
    }

    private async Task RunHealthChecksAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var running = await Podman.RunAsync("ps", "--filter", $"label=com.docker.compose.project={Project}", "--format", "{{.Names}} {{.Status}}");
                foreach (var line in running.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    // podman shows "(starting)", "(healthy)" or "(unhealthy)" for containers that have a health check.
                    if (line.Contains("healthy)", StringComparison.Ordinal) || line.Contains("(starting)", StringComparison.Ordinal))
                    {
                        await Podman.RunAsync("healthcheck", "run", line.Split(' ')[0]);
                    }
                }

                await Task.Delay(2000, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (TimeoutException)
            {
                // A slow podman under load: the next round tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _healthLoop;
        _stop.Dispose();
        if (!_service.HasExited)
        {
            _service.Kill();
            await _service.WaitForExitAsync();
        }

        _service.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
