using System.Net;
using Fleet.Testing;

namespace Fleet.Api.Tests.Hosting;

/// <summary>The Api as a process: OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; invalid options stop it at start.</summary>
public sealed class TelemetryAndOptionsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpointSet_ExportsTracesMetricsAndLogs()
    {
        using var collector = new OtlpReceiver();
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Environment =
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
        }, Cancel);
        using var admin = api.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var response = await admin.GetAsync(new Uri("api/v1/hosts", UriKind.Relative), Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The list endpoint is the root of the /api/v1/hosts route group (MapGet("")), whose template ASP.NET Core
        // writes with a trailing slash: that template is the span's route and name; url.path is the path requested.
        const string Route = "/api/v1/hosts/";
        bool Complete() => collector.Has("/v1/traces", "GET " + Route)
            && collector.Has("/v1/metrics", "http.server.request.duration")
            && collector.Strings("/v1/metrics").Any(n => n.StartsWith("dotnet.", StringComparison.Ordinal))
            && collector.Has("/v1/logs", "fleet-api");
        while (DateTime.UtcNow < deadline && !Complete())
        {
            await Task.Delay(200, Cancel);
        }

        var seen = $"received {collector.Describe()}; span strings: {string.Join(" | ", collector.Strings("/v1/traces").Where(IsPrintable).Distinct())}\n{api.Output}";
        Assert.True(collector.Has("/v1/traces", "fleet-api"), seen);

        // The AspNetCore instrumentation names and tags the request span by its route.
        Assert.True(collector.Has("/v1/traces", "GET " + Route), seen);
        Assert.True(collector.Has("/v1/traces", "http.route"), seen);
        Assert.True(collector.Has("/v1/traces", Route), seen);
        Assert.True(collector.Has("/v1/traces", "/api/v1/hosts"), seen);
        Assert.True(collector.Has("/v1/metrics", "http.server.request.duration"), seen);

        // Runtime instrumentation (GC, thread pool…) and logs, each under the service's resource.
        Assert.Contains(collector.Strings("/v1/metrics"), n => n.StartsWith("dotnet.", StringComparison.Ordinal));
        Assert.True(collector.Has("/v1/logs", "fleet-api"), seen);
        Assert.Equal(0, collector.Malformed);
    }

    private static bool IsPrintable(string value) => value.All(c => !char.IsControl(c) && c != '\uFFFD');

    [Fact]
    public async Task InvalidOptions_StopTheApiAtStart_ListingEveryProblem()
    {
        var options = new ApiProcessOptions
        {
            AdminApiKey = "not-a-fleet-key",
            StartTimeout = TimeSpan.FromSeconds(60),
            Configuration = { ["Fleet:Limits:MaxPageSize"] = "0", ["Fleet:Retention:RawSamples"] = "-01:00:00", ["Fleet:ReverseProxy:KnownProxies:0"] = "proxy.example" },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ApiProcess.StartAsync(options, Cancel));

        Assert.Contains("exited with", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Bootstrap:AdminApiKey must be 'fleet_k_'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Limits:MaxPageSize must be between 1 and 10000 (is 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Retention:RawSamples must be a positive duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:ReverseProxy:KnownProxies:0 must be an IP address or a network in CIDR form (is 'proxy.example')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithoutAKeyRingCertificate_RefusesToStart_SayingWhatToConfigure()
    {
        var options = new ApiProcessOptions
        {
            StartTimeout = TimeSpan.FromSeconds(60),
            Configuration = { ["Fleet:DataProtection:AllowUnencryptedKeyRing"] = "false" },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ApiProcess.StartAsync(options, Cancel));

        Assert.Contains("exited with", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:DataProtection:CertificatePath must name a certificate in Production", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithAKeyRingCertificateThatCannotBeRead_RefusesToStart()
    {
        var options = new ApiProcessOptions
        {
            StartTimeout = TimeSpan.FromSeconds(60),
            Configuration = { ["Fleet:DataProtection:CertificatePath"] = "/nonexistent/fleet-key-ring.pfx" },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ApiProcess.StartAsync(options, Cancel));

        Assert.Contains("Fleet:DataProtection:CertificatePath: cannot load '/nonexistent/fleet-key-ring.pfx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_AllowUnencryptedKeyRing_StartsAndSaysTheKeyRingIsUnencrypted()
    {
        // What the compose demo sets.
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Configuration = { ["Fleet:DataProtection:AllowUnencryptedKeyRing"] = "true" },
        }, Cancel);

        Assert.Contains("Fleet:DataProtection:CertificatePath is not set: the data-protection key ring is stored unencrypted", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_WithoutAKeyRingCertificate_StartsAndSaysTheKeyRingIsUnencrypted()
    {
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Configuration = { ["Fleet:DataProtection:AllowUnencryptedKeyRing"] = "false" },
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development" },
        }, Cancel);

        Assert.Contains("Fleet:DataProtection:CertificatePath is not set: the data-protection key ring is stored unencrypted", api.Output, StringComparison.Ordinal);
    }
}
