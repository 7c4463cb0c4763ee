using System.Text.Json;
using Fleet.Api.Tests.Infrastructure;

namespace Fleet.Api.Tests.OpenApi;

/// <summary>
/// /openapi/v1.json describes every endpoint the app maps (from its EndpointDataSource), with schemas for JSON
/// request and response bodies, and the browsable UI at /api/docs serves.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Document_DescribesEveryEndpointWithSchemas()
    {
        using var anonymous = fixture.Api.CreateBearerClient("");
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative), Cancel));
        var paths = document.RootElement.GetProperty("paths");
        // Every minimal-API endpoint that is not explicitly excluded (dashboard pages and static files are not API).
        var described = EndpointInfo.All(fixture.Api.Services).Where(e => e.InApiDescription && e.IsRouteHandler).ToList();
        Assert.True(described.Count >= 30, $"only {described.Count} endpoints");

        var problems = new List<string>();
        foreach (var endpoint in described)
        {
            if (!paths.TryGetProperty(endpoint.OpenApiPath, out var path) || !path.TryGetProperty(endpoint.Method.ToLowerInvariant(), out var operation))
            {
                problems.Add($"{endpoint}: not in the document");
                continue;
            }

            if (!operation.TryGetProperty("summary", out _))
            {
                problems.Add($"{endpoint}: no summary");
            }

            var responses = operation.GetProperty("responses");
            var success = responses.EnumerateObject().Where(r => r.Name.StartsWith('2') || r.Name.StartsWith('3')).ToList();
            if (success.Count == 0)
            {
                problems.Add($"{endpoint}: no success response");
            }

            foreach (var response in success.Where(r => r.Name is not ("204" or "302")))
            {
                if (!response.Value.TryGetProperty("content", out var content) || !content.EnumerateObject().All(c => c.Value.TryGetProperty("schema", out _)))
                {
                    problems.Add($"{endpoint}: response {response.Name} has no schema");
                }
            }

            if (endpoint.Pattern.StartsWith("/api/", StringComparison.Ordinal) && !endpoint.Anonymous && !responses.TryGetProperty("403", out _))
            {
                problems.Add($"{endpoint}: 403 not documented");
            }

            if (operation.TryGetProperty("requestBody", out var body)
                && !body.GetProperty("content").EnumerateObject().All(c => c.Value.TryGetProperty("schema", out _)))
            {
                problems.Add($"{endpoint}: request body without schema");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var name in new[] { "LinkSpec", "LinkDto", "CreateLinkRequest", "PolicyRevisionDto", "HostDto", "SamplesDto", "EnrollRequest", "EnrollResponse" })
        {
            Assert.True(schemas.TryGetProperty(name, out _), $"schema {name} missing");
        }

        var putSpec = paths.GetProperty("/api/v1/links/{id}/spec").GetProperty("put");
        Assert.Contains("LinkSpec", putSpec.GetProperty("requestBody").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("412", putSpec.GetProperty("responses").EnumerateObject().Select(r => r.Name));
    }

    [Fact]
    public async Task ApiBrowser_IsServedAnonymously()
    {
        using var anonymous = fixture.Api.CreateBearerClient("");
        var page = await anonymous.GetStringAsync(new Uri("api/docs/index.html", UriKind.Relative), Cancel);
        Assert.Contains("swagger-ui", page, StringComparison.OrdinalIgnoreCase);
    }
}
