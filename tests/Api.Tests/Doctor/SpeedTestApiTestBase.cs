using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// What the speed test suites share: a manual clock, an operator's and a viewer's API key, an enrolled host with a
/// striper link, and reading a JSON answer.
/// </summary>
public abstract class SpeedTestApiTestBase(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    protected const string OperatorName = "speed-operator";

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    protected string OperatorKey { get; private set; } = "";

    protected string ViewerKey { get; private set; } = "";

    protected async Task<(EnrollResponse Host, Guid Link)> ArrangeAsync()
    {
        using var admin = Client();
        OperatorKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator, OperatorName)).Secret;
        ViewerKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "speed-viewer")).Secret;
        var host = await FleetRequests.EnrollHostAsync(admin);
        return (host, await CreateLinkAsync(host.HostId, Specs.Striper()));
    }

    protected async Task<Guid> CreateLinkAsync(Guid hostId, LinkSpec spec)
    {
        using var admin = Client();
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = spec }, FleetJson.Options, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return (await ReadAsync<LinkDto>(response)).Id;
    }

    protected static async Task<T> GetAsync<T>(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(new Uri(uri.TrimStart('/'), UriKind.Relative), Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<T>(FleetJson.Options, Cancel))!;
    }
}
