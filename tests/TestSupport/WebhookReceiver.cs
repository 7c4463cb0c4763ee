using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.Testing;

/// <summary>
/// One request the receiver got: its headers of interest, its body, whether the signature checked out, what it answered,
/// and when it arrived (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).
/// </summary>
public sealed record WebhookRequest(string? Timestamp, string? Signature, string? Delivery, string Body, bool SignatureValid, int Answered, long ArrivedAt);

/// <summary>
/// A real HTTP webhook endpoint on a free loopback port (Kestrel) that checks Fleet's signature the way docs/alerts.md
/// tells receivers to, records every request, and answers 500 to the first <c>failFirst</c> ones.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<WebhookRequest> _requests = [];
    private readonly string _secret;
    private int _failuresLeft;

    private WebhookReceiver(WebApplication app, string secret, int failFirst, int port)
    {
        _app = app;
        _secret = secret;
        _failuresLeft = failFirst;
        Url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/hook");
    }

    public Uri Url { get; }

    public IReadOnlyList<WebhookRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Answers 200 from now on.</summary>
    public void AcceptFromNow()
    {
        lock (_requests)
        {
            _failuresLeft = 0;
        }
    }

    public static async Task<WebhookReceiver> StartAsync(string secret, int failFirst)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret, failFirst, port);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>The check docs/alerts.md gives receivers: HMAC-SHA256 over "timestamp.body", compared in constant time.</summary>
    public static bool SignatureValid(string secret, string? timestamp, string? signature, byte[] body)
    {
        if (timestamp is null || signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal))
        {
            return false;
        }

        byte[] message = [.. Encoding.ASCII.GetBytes(timestamp + "."), .. body];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature["sha256=".Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        var arrivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var timestamp = request.Headers["X-Fleet-Timestamp"].ToString();
        var signature = request.Headers["X-Fleet-Signature"].ToString();
        var valid = SignatureValid(_secret, timestamp, signature, body);
        int status;
        lock (_requests)
        {
            status = _failuresLeft-- > 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
            _requests.Add(new WebhookRequest(timestamp, signature, request.Headers["X-Fleet-Delivery"].ToString(), Encoding.UTF8.GetString(body), valid, status, arrivedAt));
        }

        return Results.StatusCode(status);
    }
}
