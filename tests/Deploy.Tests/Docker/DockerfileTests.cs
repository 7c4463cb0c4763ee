using Fleet.Deploy.Tests.Compose;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>
/// What a build would trip over, checked in the files: sources missing from (or ignored in) the context, undefined
/// stages, a restore layer that misses a project, a version label out of step with the product version, a root user.
/// The container tests (<c>Containers/</c>) build and run the images with podman on a local Debian base; the default
/// path through Microsoft's SDK and runtime-deps images needs a registry, so these checks are all it gets here.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string[] s_rootBuildFiles = ["Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json", "NuGet.config"];

    /// <summary>The host-published application a Dockerfile copies with APP_SOURCE=context (build-images.sh makes it).</summary>
    private const string PublishedOnTheBuildHost = "artifacts/container/";

    /// <summary>Every build of the compose file, and the one the local-base override adds (PostgreSQL).</summary>
    public static TheoryData<string, string> ComposeBuilds()
    {
        var data = new TheoryData<string, string>();
        foreach (var (context, dockerfile) in new[] { ComposeFile.MainFile, ComposeFile.LocalBaseFile }
                     .SelectMany(f => ComposeFile.Load(f).Services).Select(s => ComposeFile.Build(s.Service)).OfType<(string, string)>().Distinct())
        {
            data.Add(dockerfile, context);
        }

        return data;
    }

    public static TheoryData<string, string> ProductImages() => new()
    {
        { "deploy/docker/api.Dockerfile", "src/Api/Fleet.Api.csproj" },
        { "deploy/docker/agent.Dockerfile", "src/Agent/Fleet.Agent.csproj" },
    };

    /// <summary>api or agent, from deploy/docker/&lt;app&gt;.Dockerfile.</summary>
    private static string App(string dockerfile) => Path.GetFileName(dockerfile).Split('.')[0];

    [Theory]
    [MemberData(nameof(ComposeBuilds))]
    public void Copy_EverySourceExistsInTheBuildContext(string dockerfile, string context)
    {
        var file = Dockerfile.Load(Repository.PathOf(dockerfile));
        var ignore = DockerIgnore.For(file.Path, Repository.PathOf(context));
        var problems = new List<string>();
        foreach (var copy in file.Stages.SelectMany(s => s.Instructions).Where(i => i.Keyword is "COPY" or "ADD"))
        {
            if (copy.Flags.ContainsKey("from"))
            {
                continue;
            }

            foreach (var source in copy.Operands.SkipLast(1))
            {
                var path = Repository.PathOf(context, source);
                var producedByTheBuild = context == "." && source.StartsWith(PublishedOnTheBuildHost, StringComparison.Ordinal);
                if (!File.Exists(path) && !Directory.Exists(path) && !producedByTheBuild)
                {
                    problems.Add($"line {copy.Line}: {source} does not exist in the context {context}");
                }
                else if (ignore.Excludes(source))
                {
                    problems.Add($"line {copy.Line}: {source} is excluded by the .dockerignore rules");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{dockerfile}:\n{string.Join('\n', problems)}");
    }

    [Theory]
    [MemberData(nameof(ComposeBuilds))]
    public void CopyFrom_NamesAnEarlierStage(string dockerfile, string context)
    {
        _ = context;
        var file = Dockerfile.Load(Repository.PathOf(dockerfile));
        for (var index = 0; index < file.Stages.Count; index++)
        {
            var earlier = file.Stages.Take(index).Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
            foreach (var copy in file.Stages[index].All("COPY").Where(c => c.Flags.ContainsKey("from")))
            {
                Assert.True(earlier.Contains(copy.Flags["from"]), $"{dockerfile} line {copy.Line}: no earlier stage '{copy.Flags["from"]}'");
            }
        }
    }

    [Fact]
    public void DeployFolder_EveryDockerfileIsBuiltByCompose()
    {
        var built = ComposeBuilds().Select(row => row.Data.Item1).ToHashSet(StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(Repository.PathOf("deploy"), "*Dockerfile", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'));

        Assert.All(present, p => Assert.Contains(p, built));
    }

    [Theory]
    [MemberData(nameof(ProductImages))]
    public void BuildStage_CopiesEveryProjectFileBeforeTheRestore(string dockerfile, string project)
    {
        var build = Dockerfile.Load(Repository.PathOf(dockerfile)).Stages[0];
        var restore = $"deploy/docker/publish.sh --restore-only {App(dockerfile)}";
        var beforeRestore = build.Instructions
            .TakeWhile(i => !(i.Keyword == "RUN" && i.Arguments.Contains(restore, StringComparison.Ordinal)))
            .Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Operands.SkipLast(1))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains(build.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains(restore, StringComparison.Ordinal));
        Assert.Contains("deploy/docker/publish.sh", beforeRestore);
        Assert.Contains($"project=$repo/{project}", Repository.Read("deploy/docker/publish.sh"), StringComparison.Ordinal);

        var missing = Repository.ProjectClosure(project).Where(p => !beforeRestore.Contains(p))
            .Concat(s_rootBuildFiles.Where(f => File.Exists(Repository.PathOf(f)) && !beforeRestore.Contains(f)))
            .ToList();

        Assert.True(missing.Count == 0, $"{dockerfile} restores {project} without: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(ProductImages))]
    public void BuildStage_InstallsNpm_WhenAProjectBuildRunsIt(string dockerfile, string project)
    {
        var needsNpm = Repository.ProjectClosure(project).Any(p => Repository.Read(p).Contains("npm ci", StringComparison.Ordinal));
        var build = Dockerfile.Load(Repository.PathOf(dockerfile)).Stages[0];
        var installsNpm = build.All("RUN").Any(r => r.Arguments.Contains("apt-get install", StringComparison.Ordinal) && r.Words.Contains("npm"));

        Assert.True(!needsNpm || installsNpm, $"{project} runs npm during the build, but {dockerfile}'s build stage does not install npm");
    }

    [Theory]
    [MemberData(nameof(ProductImages))]
    public void RuntimeStage_LabelsTheProductVersionAndSource(string dockerfile, string project)
    {
        _ = project;
        var file = Dockerfile.Load(Repository.PathOf(dockerfile));
        var labels = string.Join(' ', file.Final.All("LABEL").Select(l => l.Arguments));

        Assert.Contains("org.opencontainers.image.version=\"${VERSION}\"", labels, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.source=\"${SOURCE}\"", labels, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.revision=", labels, StringComparison.Ordinal);
        var defaults = file.ArgDefaults("VERSION").ToList();
        Assert.NotEmpty(defaults);
        Assert.All(defaults, d => Assert.Equal(Repository.Version, d));
    }

    [Fact]
    public void ApiImage_RunsAsNonRootAndChecksHealthz()
    {
        var runtime = Dockerfile.Load(Repository.PathOf("deploy/docker/api.Dockerfile")).Final;

        var user = Assert.Single(runtime.All("USER")).Arguments;
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0", "" });
        var health = Assert.Single(runtime.All("HEALTHCHECK")).Arguments;
        Assert.Contains("CMD [\"/usr/local/bin/fleet-healthcheck\", \"http://127.0.0.1:8080/healthz\"]", health, StringComparison.Ordinal);
        Assert.Contains(runtime.All("COPY"), c => c.Operands.SequenceEqual(["deploy/docker/healthcheck.sh", "/usr/local/bin/fleet-healthcheck"]));
        Assert.Contains(runtime.All("ENV"), e => e.Arguments.Contains("ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal));
        Assert.Contains(runtime.All("EXPOSE"), e => e.Arguments == "8080");
    }

    [Theory]
    [MemberData(nameof(ProductImages))]
    public void AppStage_SdkStageOrBuildContext_ChosenByAppSource(string dockerfile, string project)
    {
        _ = project;
        var file = Dockerfile.Load(Repository.PathOf(dockerfile));
        var app = App(dockerfile);
        var stages = file.Stages.ToDictionary(s => s.Name ?? "", StringComparer.Ordinal);

        Assert.Equal(["sdk"], file.ArgDefaults("APP_SOURCE"));
        Assert.Equal("app-${APP_SOURCE}", stages["app"].BaseImage);
        Assert.Contains(stages["app-sdk"].All("COPY"), c => c.Flags.GetValueOrDefault("from") == "build");
        Assert.Contains(stages["app-context"].All("COPY"), c => c.Operands[0] == $"{PublishedOnTheBuildHost}fleet-{app}/");
        Assert.Contains(stages["build"].All("RUN"), r => r.Arguments.Contains($"deploy/docker/publish.sh {app} /out", StringComparison.Ordinal));
        Assert.False(DockerIgnore.For(file.Path, Repository.Root).Excludes($"{PublishedOnTheBuildHost}fleet-{app}/fleet-{app}"),
            $"{dockerfile}.dockerignore leaves the host-published fleet-{app} out of the context");
        // The runtime stage's base is an argument, Microsoft's runtime-deps image by default (the apps are self-contained).
        Assert.Equal("${BASE_IMAGE}", file.Final.BaseImage);
        Assert.Equal(["mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble"], file.ArgDefaults("BASE_IMAGE"));
    }

    [Fact]
    public void RuntimeStages_StartWithTheSameInstallLayer_SoABuilderSharesIt()
    {
        string FirstRun(string dockerfile) => Dockerfile.Load(Repository.PathOf(dockerfile)).Final.All("RUN").First().Arguments;

        var shared = FirstRun("deploy/docker/api.Dockerfile");
        Assert.Contains("ca-certificates", shared, StringComparison.Ordinal);
        Assert.Equal(shared, FirstRun("deploy/docker/agent.Dockerfile"));
        Assert.Equal(shared, FirstRun("deploy/compose/provision.Dockerfile"));
    }

    [Fact]
    public void AgentPublish_IsTheDebianPackagesPublish()
    {
        // The image runs the package's binary: build-deb.sh publishes through publish.sh, a self-contained single file.
        var publish = Repository.Read("deploy/docker/publish.sh");
        var package = Repository.Read("deploy/debian/build-deb.sh");

        Assert.Contains("\"$repo/deploy/docker/publish.sh\" agent ", package, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet publish", package, StringComparison.Ordinal);
        foreach (var option in new[] { "-r linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-p:DebugType=none" })
        {
            Assert.Contains(option, publish, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AgentImage_StartsTheEnrollingEntrypointWithRun()
    {
        var runtime = Dockerfile.Load(Repository.PathOf("deploy/docker/agent.Dockerfile")).Final;

        Assert.Contains(runtime.All("COPY"), c => c.Operands.SequenceEqual(["deploy/docker/agent-entrypoint.sh", "/usr/local/bin/fleet-agent-entrypoint"]));
        Assert.Equal(["/usr/local/bin/fleet-agent-entrypoint"], Assert.Single(runtime.All("ENTRYPOINT")).Words);
        Assert.Equal(["run"], Assert.Single(runtime.All("CMD")).Words);
        // The backends drive iproute2 (ip, tc, ss, nstat): the image must have it.
        Assert.Contains(runtime.All("RUN"), r => r.Words.Contains("iproute2"));
        var health = Assert.Single(runtime.All("HEALTHCHECK")).Arguments;
        Assert.Contains("CMD [\"/usr/local/bin/fleet-agent-entrypoint\", \"health\"]", health, StringComparison.Ordinal);
    }
}
