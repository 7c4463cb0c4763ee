using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Deploy.Tests.Docker;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Compose;

/// <summary>
/// deploy/compose/provision.sh, the compose demo's provisioning, run for real (bash, curl, jq) against a stand-in of
/// the REST API that records the requests. Unit tests of the script: the link specs it creates are checked with the
/// real <see cref="LinkSpecValidator"/>; the REST shapes it assumes are listed in the stand-in below.
/// </summary>
public sealed class ProvisionScriptTests : IAsyncLifetime
{
    private const string ApiKey = "fleet_k_compose-demo-only-0123456789abcdefghijklmno";
    private static readonly string s_script = Repository.PathOf("deploy/compose/provision.sh");
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Method, string PathAndQuery, string? Authorization, string Body)> _requests = new();
    private readonly ConcurrentDictionary<string, JsonObject> _links = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fleet-provision-");
    private Task? _serving;
    private string _baseAddress = "";

    /// <summary>Hosts that have "enrolled", by name.</summary>
    private readonly ConcurrentDictionary<string, Guid> _hosts = new();

    public ValueTask InitializeAsync()
    {
        var port = RunningApi.FreeLoopbackPort();
        _baseAddress = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(_baseAddress + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        if (_serving is not null)
        {
            await _serving;
        }

        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Token_WritesTheSecretOwnerOnlyAndAsksForOneUsePerHost()
    {
        RequireTools();
        var file = Path.Combine(_directory.FullName, "enrollment-token");

        var result = await RunAsync("token", file);

        Assert.True(result.ExitCode == 0, result.Describe("provision.sh token"));
        Assert.Equal("fleet_e_issued\n", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var create = Assert.Single(_requests, r => r.Method == "POST");
        Assert.Equal("/api/v1/enrollment-tokens", create.PathAndQuery);
        var body = JsonNode.Parse(create.Body)!;
        Assert.Equal(2, body["maxUses"]!.GetValue<int>());
        Assert.InRange(body["expiresInSeconds"]!.GetValue<int>(), 60, 30 * 24 * 3600);
        Assert.All(_requests.Where(r => r.PathAndQuery.StartsWith("/api/", StringComparison.Ordinal)), r => Assert.Equal($"Bearer {ApiKey}", r.Authorization));
    }

    [Fact]
    public async Task StriperLink_BothHostsEnrolled_CreatesMirroredValidSpecsWithOneKey()
    {
        RequireTools();
        _hosts["agent-1"] = Guid.CreateVersion7();
        _hosts["agent-2"] = Guid.CreateVersion7();

        var result = await RunAsync("striper-link", "agent-1", "agent-2");

        Assert.True(result.ExitCode == 0, result.Describe("provision.sh striper-link"));
        var created = _requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/api/v1/links").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(2, created.Count);
        var specs = created.ToDictionary(
            c => c["hostId"]!.GetValue<string>(),
            c => c["spec"].Deserialize<LinkSpec>(FleetJson.Options)!);
        var one = specs[_hosts["agent-1"].ToString()];
        var two = specs[_hosts["agent-2"].ToString()];
        Assert.All(specs.Values, s => Assert.Empty(LinkSpecValidator.Validate(s)));

        Assert.Equal(LinkKind.Striper, one.Kind);
        Assert.Equal(["path-a", "path-b"], one.Members.Select(m => m.Interface));
        Assert.Equal(["10.99.0.1/30"], one.Addresses);
        Assert.Equal(["10.99.0.2/30"], two.Addresses);
        Assert.Equal(["10.231.1.12:7000", "10.231.2.12:7001"], one.Members.Select(m => m.Peer));
        Assert.Equal(["10.231.1.11:7000", "10.231.2.11:7001"], two.Members.Select(m => m.Peer));
        Assert.Equal(one.Striper!.Key, two.Striper!.Key);
        Assert.Equal(32, Convert.FromBase64String(one.Striper.Key).Length);
    }

    [Fact]
    public async Task StriperLink_RunAgain_ChangesNothing()
    {
        RequireTools();
        _hosts["agent-1"] = Guid.CreateVersion7();
        _hosts["agent-2"] = Guid.CreateVersion7();
        var first = await RunAsync("striper-link", "agent-1", "agent-2");
        Assert.True(first.ExitCode == 0, first.Describe("first run"));
        _requests.Clear();

        var second = await RunAsync("striper-link", "agent-1", "agent-2");

        Assert.True(second.ExitCode == 0, second.Describe("second run"));
        Assert.DoesNotContain(_requests, r => r.Method == "POST");
        Assert.Equal(2, _links.Count);
    }

    [Fact]
    public async Task StriperLink_AHostNeverEnrolls_FailsWithoutCreatingLinks()
    {
        RequireTools();
        _hosts["agent-1"] = Guid.CreateVersion7();

        var result = await RunAsync("striper-link", "agent-1", "agent-2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not both enroll", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(_links);
    }

    [Fact]
    public async Task Request_Refused_FailsAndShowsTheProblem()
    {
        RequireTools();

        var result = await RunWithEnvironmentAsync(new() { ["FLEET_API_KEY"] = "fleet_k_wrong" }, "token", Path.Combine(_directory.FullName, "token"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("answered 401", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "token")));
    }

    private static void RequireTools()
    {
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
    }

    private Task<ProcessResult> RunAsync(params string[] arguments) => RunWithEnvironmentAsync([], arguments);

    private Task<ProcessResult> RunWithEnvironmentAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        environment.TryAdd("FLEET_API", _baseAddress);
        environment.TryAdd("FLEET_API_KEY", ApiKey);
        environment["FLEET_DEMO_WAIT_SECONDS"] = "3";
        environment["FLEET_DEMO_AGENT_1_PATH_A"] = "10.231.1.11";
        environment["FLEET_DEMO_AGENT_1_PATH_B"] = "10.231.2.11";
        environment["FLEET_DEMO_AGENT_2_PATH_A"] = "10.231.1.12";
        environment["FLEET_DEMO_AGENT_2_PATH_B"] = "10.231.2.12";
        return ExternalProcess.RunAsync("bash", [s_script, .. arguments], TimeSpan.FromSeconds(60), environment);
    }

    /// <summary>
    /// The REST shapes provision.sh relies on (Fleet.Contracts.Rest): POST /api/v1/enrollment-tokens → { token, secret };
    /// GET /api/v1/hosts?name= → { items: [{ id, name }] }; GET /api/v1/links?hostId= → { items: [{ name, spec }] };
    /// POST /api/v1/links { hostId, spec } → 201; bearer API keys; /readyz anonymous.
    /// </summary>
    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = context.Request;
            var path = request.Url!.AbsolutePath;
            _requests.Enqueue((request.HttpMethod, request.Url.PathAndQuery, request.Headers["Authorization"], body));
            var (status, answer) = path == "/readyz" ? (200, "{}")
                : request.Headers["Authorization"] != $"Bearer {ApiKey}" ? (401, """{"title":"Unauthorized","status":401}""")
                : (request.HttpMethod, path) switch
                {
                    ("POST", "/api/v1/enrollment-tokens") => (201, """{"token":{"id":"0196d3c0-0000-7000-8000-000000000001","maxUses":2},"secret":"fleet_e_issued"}"""),
                    ("GET", "/api/v1/hosts") => (200, Hosts(request.QueryString["name"])),
                    ("GET", "/api/v1/links") => (200, Links(request.QueryString["hostId"])),
                    ("POST", "/api/v1/links") => (201, AddLink(body)),
                    _ => (404, """{"title":"Not Found","status":404}"""),
                };
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private string Hosts(string? name)
    {
        var items = new JsonArray([.. _hosts.Where(h => name is null || h.Key == name).Select(h => new JsonObject { ["id"] = h.Value.ToString(), ["name"] = h.Key })]);
        return new JsonObject { ["items"] = items }.ToJsonString();
    }

    private string Links(string? hostId)
    {
        var items = new JsonArray([.. _links.Values.Where(l => l["hostId"]!.GetValue<string>() == hostId).Select(l => l.DeepClone())]);
        return new JsonObject { ["items"] = items }.ToJsonString();
    }

    private string AddLink(string body)
    {
        var link = JsonNode.Parse(body)!.AsObject();
        var id = Guid.CreateVersion7().ToString();
        link["id"] = id;
        link["name"] = link["spec"]!["name"]!.DeepClone();
        _links[id] = link;
        return link.ToJsonString();
    }
}
