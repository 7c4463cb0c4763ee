using Fleet.Api.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Api.Tests.OpenApi;

/// <summary>
/// The live /openapi/v1.json passes Redocly CLI's <c>recommended-strict</c> rules (tests/OpenApiLint: the pinned
/// linter in package.json + package-lock.json, installed by build/prerequisites.sh with <c>npm ci</c>, and its
/// configuration in redocly.yaml): server URL, tags with descriptions, a 4xx response on every operation, license
/// and contact. Under CI=true a missing linter fails the test instead of skipping it.
/// </summary>
public sealed class OpenApiLintTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    private static readonly TimeSpan s_lintTimeout = TimeSpan.FromMinutes(2);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Document_PassesRedoclyRecommendedStrictRules()
    {
        var lintDirectory = Path.Combine(RepositoryRoot.Find(), "tests", "OpenApiLint");
        var cli = Path.Combine(lintDirectory, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Privileged.RequireTool("/usr/bin/node", "nodejs");
        Privileged.RequireFile(cli, $"the OpenAPI linter: run 'npm ci' in {lintDirectory} (build/prerequisites.sh does)");

        using var anonymous = fixture.Api.CreateBearerClient("");
        var document = await anonymous.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative), Cancel);
        var file = Path.Combine(Path.GetTempPath(), $"fleet-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document, Cancel);
        try
        {
            var result = await ChildProcess.RunAsync(
                "/usr/bin/node",
                [cli, "lint", "--config", Path.Combine(lintDirectory, "redocly.yaml"), "--format", "codeframe", file],
                s_lintTimeout,
                new Dictionary<string, string?>
                {
                    // No usage reports or update checks from a test run: the linter works offline.
                    ["REDOCLY_TELEMETRY"] = "off",
                    ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
                },
                lintDirectory);

            Assert.True(result.ExitCode == 0, $"redocly lint exited with {result.ExitCode}:\n{result.Output}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
