using System.Diagnostics;
using System.Globalization;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// The container tests share the machine's podman: they run one at a time, beside the suite's other collections (no
/// other uses podman; their namespaces, veths and link-local subnets are picked free). Not after them: the image build
/// would then wait for the Debian package's minutes instead of sharing its agent publish (deploy/docker/publish.sh).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerImages>
{
    public const string Name = "containers";

    /// <summary>
    /// Each container test's limit, a guard against a hang: whichever test runs first waits for the base image and the
    /// image builds (minutes on an idle machine, far more on a loaded one), and every step has its own deadline.
    /// </summary>
    public const int TimeoutMilliseconds = 45 * 60 * 1000;
}

/// <summary>The two images as built for this run, their sizes, and how long making them took.</summary>
internal sealed record BuiltImages(string Api, string Agent, string Tag, long ApiBytes, long AgentBytes, TimeSpan BaseImageTime, TimeSpan BuildTime)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Api} {ApiBytes / 1e6:F0} MB, {Agent} {AgentBytes / 1e6:F0} MB; base image ready in {BaseImageTime.TotalSeconds:F0} s, publish + build {BuildTime.TotalSeconds:F0} s");
}

/// <summary>
/// fleet-api and fleet-agent built from this checkout on the local Debian base, as docs/operations.md tells a machine
/// without a registry to: <c>deploy/docker/debian-base.sh</c> (makes the base once per machine, kept afterwards), then
/// <c>deploy/docker/build-images.sh --base … --app-source context</c> (publish here, copy in). Built on first use, so a
/// run that skips the container tests builds nothing; tagged with the run's prefix and removed at the end, together
/// with the published files.
/// </summary>
public sealed class ContainerImages : IAsyncDisposable
{
    private readonly ContainerJanitor _janitor = new();
    private readonly Lock _gate = new();
    private Task<BuiltImages>? _build;

    internal ContainerJanitor Janitor => _janitor;

    /// <summary>
    /// The images; the first caller builds them, later callers get the same result (or the same failure). Each test
    /// notes the sizes and build times in its output.
    /// </summary>
    internal async Task<BuiltImages> GetAsync(ITestOutputHelper output)
    {
        Task<BuiltImages> build;
        lock (_gate)
        {
            build = _build ??= BuildAsync();
        }

        var images = await build;
        output.WriteLine($"images: {images}");
        return images;
    }

    private async Task<BuiltImages> BuildAsync()
    {
        var clock = Stopwatch.StartNew();
        var baseImage = await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy", "docker", "debian-base.sh"), "--image", Podman.BaseImage],
            TimeSpan.FromMinutes(15), Podman.Environment());
        Assert.True(baseImage.ExitCode == 0, baseImage.Describe("debian-base.sh"));
        var baseImageTime = clock.Elapsed;

        var tag = $"{Repository.Version}-{_janitor.Prefix}";
        var api = _janitor.Image($"localhost/fleet-api:{tag}");
        var agent = _janitor.Image($"localhost/fleet-agent:{tag}");
        var label = _janitor.ImagesLabelled($"fleet.test-run={_janitor.Prefix}");
        clock.Restart();
        ProcessResult build;
        try
        {
            build = await ExternalProcess.RunAsync("bash",
                [Repository.PathOf("deploy", "docker", "build-images.sh"), "--engine", "podman", "--base", Podman.BaseImage, "--app-source", "context", "--tag", tag, "--label", label],
                TimeSpan.FromMinutes(25), Podman.Environment());
        }
        finally
        {
            foreach (var app in new[] { "fleet-api", "fleet-agent" })
            {
                var published = Repository.PathOf("artifacts", "container", app);
                if (Directory.Exists(published))
                {
                    Directory.Delete(published, recursive: true);
                }
            }
        }

        Assert.True(build.ExitCode == 0, build.Describe("build-images.sh"));
        Assert.Equal([$"fleet-api:{tag}", $"fleet-agent:{tag}"], build.StandardOutput.Trim().Split('\n')[^2..]);
        return new BuiltImages(api, agent, tag, await SizeAsync(api), await SizeAsync(agent), baseImageTime, clock.Elapsed);
    }

    private static async Task<long> SizeAsync(string image) =>
        long.Parse(await Podman.MustAsync("image", "inspect", "--format", "{{.Size}}", image), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _janitor.DisposeAsync();
}
