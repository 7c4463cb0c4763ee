using System.Net;
using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>The REST calls the end-to-end tests make, as an admin (the Api's bootstrap API key).</summary>
internal sealed class FleetRest(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<string> CreateEnrollmentTokenAsync(int maxUses = 1, int expiresInSeconds = 3600)
    {
        var response = await http.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { MaxUses = maxUses, ExpiresInSeconds = expiresInSeconds, Description = "end-to-end test" }, FleetJson.Options);
        await EnsureAsync(response, HttpStatusCode.Created);
        var created = await response.Content.ReadFromJsonAsync<CreatedEnrollmentTokenDto>(FleetJson.Options);
        return created!.Secret;
    }

    public async Task<LinkDto> CreateLinkAsync(Guid hostId, LinkSpec spec)
    {
        var response = await http.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = spec, Reason = "end-to-end test" }, FleetJson.Options);
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options))!;
    }

    /// <summary>Changes the spec with If-Match on the link's current ETag, as a careful client does.</summary>
    public async Task<LinkDto> PutSpecAsync(Guid linkId, LinkSpec spec)
    {
        var current = await GetLinkAsync(linkId);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        request.Headers.TryAddWithoutValidation("If-Match", current.ETag);
        var response = await http.SendAsync(request);
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options))!;
    }

    public async Task<LinkDto> GetLinkAsync(Guid linkId) =>
        (await http.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options))!;

    public async Task<SamplesDto> GetSamplesAsync(Guid linkId) =>
        (await http.GetFromJsonAsync<SamplesDto>($"api/v1/links/{linkId}/samples", FleetJson.Options))!;

    public async Task<HostDto> GetHostAsync(Guid hostId) =>
        (await http.GetFromJsonAsync<HostDto>($"api/v1/hosts/{hostId}", FleetJson.Options))!;

    /// <summary>Polls the link until <paramref name="condition"/> holds.</summary>
    public async Task<LinkDto> WaitForLinkAsync(Guid linkId, Func<LinkDto, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var link = await GetLinkAsync(linkId);
            if (condition(link))
            {
                return link;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; link is {link.Phase}, desired {link.DesiredGeneration}, observed {link.ObservedGeneration}, error {link.LastError}");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
