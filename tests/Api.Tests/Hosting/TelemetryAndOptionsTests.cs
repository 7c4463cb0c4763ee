using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Fleet.Testing;

namespace Fleet.Api.Tests.Hosting;

/// <summary>The Api as a process: OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set; invalid options stop it at start.</summary>
public sealed class TelemetryAndOptionsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpointSet_ExportsTracesAndMetricsOfRequests()
    {
        var port = FreePort.Next();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentDictionary<string, byte[]>();
        var receiving = Task.Run(
            async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.AddOrUpdate(context.Request.Url!.AbsolutePath, body.ToArray(), (_, previous) => [.. previous, .. body.ToArray()]);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        },
            Cancel);

        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            Environment =
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
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
        bool Has(string path, string text) => received.TryGetValue(path, out var bytes) && Encoding.UTF8.GetString(bytes).Contains(text, StringComparison.Ordinal);
        while (DateTime.UtcNow < deadline && !(Has("/v1/traces", "GET /api/v1/hosts") && Has("/v1/metrics", "http.server.request.duration")))
        {
            await Task.Delay(200, Cancel);
        }

        collector.Stop();
        await receiving;
        Assert.True(received.ContainsKey("/v1/traces"), $"no traces; got {string.Join(", ", received.Keys)}\n{api.Output}");
        Assert.True(received.ContainsKey("/v1/metrics"), $"no metrics; got {string.Join(", ", received.Keys)}");

        // Protobuf carries strings as UTF-8: the service name and the request's route are in there.
        var traces = Encoding.UTF8.GetString(received["/v1/traces"]);
        Assert.Contains("fleet-api", traces, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/hosts", traces, StringComparison.Ordinal);
        Assert.Contains("http.route", traces, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", Encoding.UTF8.GetString(received["/v1/metrics"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidOptions_StopTheApiAtStart_ListingEveryProblem()
    {
        var options = new ApiProcessOptions
        {
            AdminApiKey = "not-a-fleet-key",
            StartTimeout = TimeSpan.FromSeconds(60),
            Configuration = { ["Fleet:Limits:MaxPageSize"] = "0", ["Fleet:Retention:RawSamples"] = "-01:00:00" },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ApiProcess.StartAsync(options, Cancel));

        Assert.Contains("exited with", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Bootstrap:AdminApiKey must be 'fleet_k_'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Limits:MaxPageSize must be between 1 and 10000 (is 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fleet:Retention:RawSamples must be a positive duration", error.Message, StringComparison.Ordinal);
    }
}
