using System.Net;
using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>REST calls the suites repeat.</summary>
public static class FleetRequests
{
    public static async Task<CreatedEnrollmentTokenDto> CreateEnrollmentTokenAsync(HttpClient admin, int maxUses = 1, int expiresInSeconds = 3600)
    {
        using var response = await admin.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { MaxUses = maxUses, ExpiresInSeconds = expiresInSeconds, Description = "test" }, FleetJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedEnrollmentTokenDto>(FleetJson.Options))!;
    }

    public static async Task<HttpResponseMessage> EnrollAsync(HttpClient client, string token, string hostname) =>
        await client.PostAsJsonAsync("api/v1/agents/enroll", new EnrollRequest { Token = token, Hostname = hostname }, FleetJson.Options);

    /// <summary>Enrolls a host with a fresh one-time token; returns the host id and agent credential.</summary>
    public static async Task<EnrollResponse> EnrollHostAsync(HttpClient admin, string hostname = "host-a")
    {
        var token = await CreateEnrollmentTokenAsync(admin);
        using var anonymous = new HttpClient { BaseAddress = admin.BaseAddress };
        using var response = await EnrollAsync(anonymous, token.Secret, hostname);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EnrollResponse>(FleetJson.Options))!;
    }

    public static async Task<CreatedApiKeyDto> CreateApiKeyAsync(HttpClient admin, FleetRole role, string name = "test-key")
    {
        using var response = await admin.PostAsJsonAsync("api/v1/api-keys", new CreateApiKeyRequest { Name = name, Role = role }, FleetJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiKeyDto>(FleetJson.Options))!;
    }
}
