using System.Net;
using System.Text.Json;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>Asserts that a response is an RFC 7807 ProblemDetails document with the expected status.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? because = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} but got {(int)response.StatusCode} {because}: {body}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"expected application/problem+json but got '{response.Content.Headers.ContentType}' {because}: {body}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Any 4xx ProblemDetails (for inputs where 400, 413 or 415 are all right answers).</summary>
    public static async Task<JsonElement> IsClientErrorProblemAsync(HttpResponseMessage response, string because)
    {
        var body = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        Assert.True(code is >= 400 and < 500, $"expected a 4xx but got {code} for {because}: {body}");
        return await IsProblemAsync(response, response.StatusCode, because);
    }
}
