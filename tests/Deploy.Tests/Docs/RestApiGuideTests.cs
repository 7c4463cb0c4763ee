using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>docs/rest-api.md's curl flow, run by bash exactly as written against a live Api.</summary>
public sealed partial class RestApiGuideTests
{
    [Fact]
    public async Task CurlFlow_RunsAsWritten_AndLeavesTheLinkAtGenerationThreeWithTheFirstSpec()
    {
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
        var script = CurlFlow().Match(Repository.Read("docs", "rest-api.md"));
        Assert.True(script.Success, "docs/rest-api.md has no sh block under '## A complete flow with curl'");
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var result = await ExternalProcess.RunAsync(
            "/bin/bash",
            ["-euo", "pipefail", "-c", script.Groups["script"].Value],
            TimeSpan.FromSeconds(60),
            new Dictionary<string, string?> { ["KEY"] = api.AdminApiKey, ["FLEET_URL"] = api.BaseAddress.ToString().TrimEnd('/') });

        Assert.True(result.ExitCode == 0, result.Describe("the curl flow of docs/rest-api.md") + "\n--- Api ---\n" + api.Output);
        using var http = api.CreateClient();
        var links = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
        var link = Assert.Single(links!.Items);
        Assert.Equal(3, link.DesiredGeneration);
        Assert.Equal(100, link.Spec.Bond!.MiimonMs);
        // What the comments in the block say each step prints: generation 2, then [2, 1], then 3.
        Assert.Equal(["2", "[", "2,", "1", "]", "3"], result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [GeneratedRegex(@"## A complete flow with curl.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CurlFlow();
}
