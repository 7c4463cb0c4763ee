using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Contracts.Json;

namespace Fleet.Agent.Enrollment;

/// <summary>The body of <c>POST /api/v1/agents/enroll</c>.</summary>
/// <param name="Token">The enrollment token (<c>fleet_e_…</c>).</param>
/// <param name="Hostname">This host's name.</param>
/// <param name="Name">Display name for the host, if wanted.</param>
public sealed record EnrollRequest(string Token, string Hostname, string? Name = null);

/// <summary>The Api's answer to a successful enrollment.</summary>
/// <param name="HostId">The host created (or re-bound) for this agent.</param>
/// <param name="Credential">The per-host credential (<c>fleet_a_…</c>), shown only in this answer.</param>
public sealed record EnrollResponse(Guid HostId, string Credential);

/// <summary>How an enrollment attempt ended.</summary>
public enum EnrollmentStatus
{
    /// <summary>The Api issued a credential.</summary>
    Enrolled,

    /// <summary>The token is unknown, used up, expired or revoked (401/403/404/410), or the request was invalid (400/422).</summary>
    Refused,

    /// <summary>Too many attempts; retry after <see cref="EnrollmentResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The Api could not be reached or answered with a server error.</summary>
    Unavailable,
}

/// <summary>Outcome of <see cref="EnrollmentClient.EnrollAsync"/>.</summary>
public sealed record EnrollmentResult(EnrollmentStatus Status, EnrollResponse? Response, string? Error, TimeSpan? RetryAfter = null);

/// <summary>Exchanges an enrollment token for a per-host credential.</summary>
public sealed class EnrollmentClient(HttpClient http)
{
    /// <summary>The enrollment endpoint, relative to the server URL.</summary>
    public const string Path = "api/v1/agents/enroll";

    /// <summary>Posts the enrollment request. Never throws for HTTP or network failures; they are results.</summary>
    public async Task<EnrollmentResult> EnrollAsync(Uri server, EnrollRequest request, CancellationToken cancellationToken)
    {
        var uri = new Uri(EnsureTrailingSlash(server), Path);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(uri, request, FleetJson.Options, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return new EnrollmentResult(EnrollmentStatus.Unavailable, null, $"cannot reach {server}: {ex.Message}");
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new EnrollmentResult(EnrollmentStatus.Unavailable, null, $"{server} did not answer in time: {ex.Message}");
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    var body = await response.Content.ReadFromJsonAsync<EnrollResponse>(FleetJson.Options, cancellationToken);
                    if (body is null || body.HostId == Guid.Empty || string.IsNullOrWhiteSpace(body.Credential))
                    {
                        return new EnrollmentResult(EnrollmentStatus.Unavailable, null, "the server's answer lacks a host id or credential");
                    }

                    return new EnrollmentResult(EnrollmentStatus.Enrolled, body, null);
                }
                catch (JsonException ex)
                {
                    return new EnrollmentResult(EnrollmentStatus.Unavailable, null, $"the server's answer is not an enrollment response: {ex.Message}");
                }
            }

            var detail = await ReadProblemAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                return new EnrollmentResult(EnrollmentStatus.RateLimited, null, $"rate limited ({status}): {detail}", retryAfter);
            }

            if (status is >= 400 and < 500)
            {
                return new EnrollmentResult(EnrollmentStatus.Refused, null, $"enrollment refused ({status}): {detail}");
            }

            return new EnrollmentResult(EnrollmentStatus.Unavailable, null, $"server error ({status}): {detail}");
        }
    }

    /// <summary>Enrolls, waiting out rate limits up to <paramref name="maxAttempts"/> times (the simulator enrolls many hosts at once).</summary>
    public async Task<EnrollmentResult> EnrollWithRetryAsync(Uri server, EnrollRequest request, int maxAttempts, TimeProvider time, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            attempt++;
            var result = await EnrollAsync(server, request, cancellationToken);
            if (result.Status is EnrollmentStatus.Enrolled or EnrollmentStatus.Refused || attempt >= maxAttempts)
            {
                return result;
            }

            var delay = result.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(30, attempt));
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private static async Task<string> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                return response.ReasonPhrase ?? "no details";
            }

            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    return detail.GetString()!;
                }

                if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
                {
                    return title.GetString()!;
                }
            }

            return text.Length > 300 ? text[..300] : text;
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "no details";
        }
    }

    internal static Uri EnsureTrailingSlash(Uri server) =>
        server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
}
