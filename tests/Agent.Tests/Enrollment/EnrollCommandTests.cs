using System.Net;
using System.Text.Json;
using Fleet.Agent.Cli;
using Fleet.Agent.Enrollment;
using Fleet.Agent.Identity;
using Fleet.Agent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Tests.Enrollment;

public sealed class EnrollCommandTests : IAsyncLifetime
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000501");
    private readonly TempDirectory _dir = new();
    private readonly List<JsonElement> _requests = [];
    private WebApplication? _app;
    private Uri _server = null!;

    /// <summary>What the fake endpoint answers next.</summary>
    private Func<IResult> _answer = () => Results.Ok(new { hostId = s_host, credential = "fleet_a_secret-credential" });

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/api/v1/agents/enroll", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            lock (_requests)
            {
                _requests.Add(body);
            }

            return _answer();
        });
        await _app.StartAsync();
        _server = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app!.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<(int Code, string Output, string Error)> EnrollAsync(bool force = false, string? name = "edge-1", Uri? server = null, string dataDir = "agent")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        // The fake endpoint listens on http:// loopback; the refusal of plain HTTP is tested through the command line below.
        var code = await EnrollCommand.RunAsync(server ?? _server, "fleet_e_token", name, _dir.Combine(dataDir), force, allowInsecureHttp: true, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RunAsync_TokenAccepted_StoresIdentityOwnerOnly()
    {
        var (code, output, _) = await EnrollAsync();

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(s_host.ToString(), output);
        Assert.DoesNotContain("secret-credential", output);
        var request = Assert.Single(_requests);
        Assert.Equal("fleet_e_token", request.GetProperty("token").GetString());
        Assert.Equal("edge-1", request.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(request.GetProperty("hostname").GetString()));
        var store = new IdentityStore(_dir.Combine("agent"));
        var identity = store.Load()!;
        Assert.Equal(s_host, identity.HostId);
        Assert.Equal("fleet_a_secret-credential", identity.Credential);
        Assert.Equal(_server, identity.ServerUrl);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.DoesNotContain("secret", identity.ToString());
    }

    [Fact]
    public async Task RunAsync_IdentityExists_RefusesWithoutForce()
    {
        await EnrollAsync();
        _answer = () => Results.Ok(new { hostId = Guid.NewGuid(), credential = "fleet_a_other" });

        var (code, _, error) = await EnrollAsync();

        Assert.Equal(ExitCodes.IdentityExists, code);
        Assert.Contains("--force", error);
        Assert.Single(_requests);
        Assert.Equal(s_host, new IdentityStore(_dir.Combine("agent")).Load()!.HostId);
    }

    [Fact]
    public async Task RunAsync_Force_ReplacesIdentityAndDiscardsQueue()
    {
        await EnrollAsync();
        Directory.CreateDirectory(_dir.Combine("agent", "queue"));
        var other = Guid.NewGuid();
        _answer = () => Results.Ok(new { hostId = other, credential = "fleet_a_other" });

        var (code, _, _) = await EnrollAsync(force: true);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(other, new IdentityStore(_dir.Combine("agent")).Load()!.HostId);
        Assert.False(Directory.Exists(_dir.Combine("agent", "queue")));
    }

    [Theory]
    [InlineData(StatusCodes.Status401Unauthorized)]
    [InlineData(StatusCodes.Status410Gone)]
    public async Task RunAsync_TokenRefused_ExitsWithRefusedAndStoresNothing(int status)
    {
        _answer = () => Results.Problem(detail: "the enrollment token was used already", statusCode: status);

        var (code, _, error) = await EnrollAsync();

        Assert.Equal(ExitCodes.EnrollmentRefused, code);
        Assert.Contains("the enrollment token was used already", error);
        Assert.False(File.Exists(_dir.Combine("agent", IdentityStore.FileName)));
    }

    [Fact]
    public async Task RunAsync_ServerError_ExitsUnavailable()
    {
        _answer = () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable);

        var (code, _, _) = await EnrollAsync();

        Assert.Equal(ExitCodes.ServerUnavailable, code);
    }

    [Fact]
    public async Task RunAsync_NothingListening_ExitsUnavailable()
    {
        var (code, _, error) = await EnrollAsync(server: new Uri($"http://127.0.0.1:{UnusedPort()}"));

        Assert.Equal(ExitCodes.ServerUnavailable, code);
        Assert.Contains("cannot reach", error);
    }

    [Fact]
    public async Task CommandLine_HttpServerWithoutAllowInsecureHttp_ExitsUsageNamingTheOptionAndSendsNothing()
    {
        var (code, _, error) = await CommandLine.InvokeAsync(["enroll", "--server", _server.ToString(), "--token", "fleet_e_token", "--data-dir", _dir.Combine("agent")], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--allow-insecure-http", error, StringComparison.Ordinal);
        Assert.Contains(_server.ToString(), error, StringComparison.Ordinal);
        Assert.Empty(_requests);
        Assert.False(File.Exists(_dir.Combine("agent", IdentityStore.FileName)));
    }

    [Fact]
    public async Task CommandLine_HttpServerWithAllowInsecureHttp_Enrolls()
    {
        var (code, output, error) = await CommandLine.InvokeAsync(["enroll", "--server", _server.ToString(), "--token", "fleet_e_token", "--data-dir", _dir.Combine("agent"), "--allow-insecure-http"], TestContext.Current.CancellationToken);

        Assert.True(code == ExitCodes.Success, $"exit {code}: {error}");
        Assert.Contains(s_host.ToString(), output, StringComparison.Ordinal);
        Assert.Single(_requests);
        Assert.Equal(_server, new IdentityStore(_dir.Combine("agent")).Load()!.ServerUrl);
    }

    [Fact]
    public async Task CommandLine_HttpsServer_AcceptedWithoutTheOption()
    {
        // Nothing listens there: the command got as far as trying to connect.
        var (code, _, error) = await CommandLine.InvokeAsync(["enroll", "--server", $"https://127.0.0.1:{UnusedPort()}", "--token", "fleet_e_token", "--data-dir", _dir.Combine("agent")], TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.ServerUnavailable, code);
        Assert.Contains("cannot reach", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--allow-insecure-http", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NotHttpUrl_ExitsUsage()
    {
        var (code, _, _) = await EnrollAsync(server: new Uri("ftp://example.net"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(_requests);
    }
}
