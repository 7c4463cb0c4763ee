using System.Net;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// A browser stand-in for an Api on <c>http://127.0.0.1</c>: follows no redirects and keeps cookies the way browsers
/// do for loopback, a secure context, so <c>Secure</c> cookies (the session cookie outside Development) are sent back
/// over plain HTTP. .NET's <see cref="CookieContainer"/> alone sends those over HTTPS only.
/// </summary>
public static class LoopbackBrowser
{
    /// <summary>A client on <paramref name="baseAddress"/>, sharing <paramref name="jar"/> when given (one browser, several tabs).</summary>
    public static HttpClient Create(Uri baseAddress, CookieContainer? jar = null) =>
        new(new LoopbackCookieHandler(jar ?? new CookieContainer()) { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false } })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>The <c>Cookie</c> header the browser sends to <paramref name="address"/> (for a WebSocket upgrade).</summary>
    public static string CookieHeader(CookieContainer jar, Uri address) => jar.GetCookieHeader(AsSecure(address));

    /// <summary>Loopback addresses as <c>https</c>, so the container treats them as the secure context they are.</summary>
    internal static Uri AsSecure(Uri address) =>
        address.IsLoopback && address.Scheme is "http" or "ws" ? new UriBuilder(address) { Scheme = "https" }.Uri : address;

    private sealed class LoopbackCookieHandler(CookieContainer jar) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var address = AsSecure(request.RequestUri!);
            var cookies = jar.GetCookieHeader(address);
            if (cookies.Length > 0)
            {
                request.Headers.Remove("Cookie");
                request.Headers.TryAddWithoutValidation("Cookie", cookies);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    jar.SetCookies(address, setCookie);
                }
            }

            return response;
        }
    }
}
