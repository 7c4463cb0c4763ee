using System.Text.RegularExpressions;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>One HTTP endpoint of the running app, read from its <see cref="EndpointDataSource"/>.</summary>
public sealed record EndpointInfo(string Method, string Pattern, bool Anonymous, IReadOnlyList<string> Policies, bool InApiDescription, bool IsRouteHandler)
{
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    /// <summary>The least user role the endpoint's policies admit.</summary>
    public FleetRole RequiredRole =>
        Policies.Contains(FleetPolicies.Admin) ? FleetRole.Admin
        : Policies.Contains(FleetPolicies.Operator) ? FleetRole.Operator
        : FleetRole.Viewer;

    /// <summary>The OpenAPI form of the path: <c>/api/v1/links/{id}</c>.</summary>
    public string OpenApiPath => Constraint().Replace(Pattern, "{$1}");

    /// <summary>A concrete path: route values filled with ids that exist nowhere (or the given ones).</summary>
    public string Concrete(IReadOnlyDictionary<string, string>? values = null) => Parameter().Replace(Pattern, m =>
        values is not null && values.TryGetValue(m.Groups[1].Value, out var v) ? v
        : m.Groups[2].Value switch
        {
            ":guid" => Guid.CreateVersion7().ToString(),
            ":long" => "1",
            _ => "eth1",
        });

    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>
    /// Every route endpoint by method; one without method metadata (SignalR's connection endpoint accepts any) is
    /// listed as POST.
    /// </summary>
    public static IReadOnlyList<EndpointInfo> All(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["POST"]).Select(method => new EndpointInfo(
                method,
                "/" + e.RoutePattern.RawText!.Trim('/'),
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                [.. e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "")],
                e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true },
                e.Metadata.GetMetadata<System.Reflection.MethodInfo>() is not null)))];

    private static Regex Constraint() => new(@"\{([A-Za-z]+)(:[a-z]+)?\}");

    private static Regex Parameter() => new(@"\{([A-Za-z]+)(:[a-z]+)?\}");
}
