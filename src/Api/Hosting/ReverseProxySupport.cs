using System.Net;
using Fleet.Api.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Hosting;

/// <summary>Forwarded headers from the configured reverse proxies only (<see cref="ReverseProxyOptions"/>).</summary>
public static class ReverseProxySupport
{
    public static WebApplication UseFleetForwardedHeaders(this WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<IOptions<FleetOptions>>().Value.ReverseProxy;
        if (proxy.KnownProxies.Count == 0)
        {
            // No proxy configured: X-Forwarded-* from clients are ignored, the TCP peer is the client.
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = proxy.ForwardLimit,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in proxy.KnownProxies)
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
            }
        }

        app.UseForwardedHeaders(options);
        return app;
    }
}
