using Microsoft.OpenApi;

namespace Fleet.Api.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the Swagger UI browser at <c>/api/docs</c>, both anonymous.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string BrowserPath = "api/docs";

    /// <summary>
    /// What each tag (<c>.WithTags</c> on a feature's endpoints) groups, shown in the API browser. A tag missing here
    /// fails <c>OpenApiLintTests</c> (Redocly's tag-description rule).
    /// </summary>
    private static readonly Dictionary<string, string> s_tagDescriptions = new(StringComparer.Ordinal)
    {
        ["Account"] = "Who is calling, with which role.",
        ["Alerts"] = "Alerts the built-in rules raised (firing and history) and their acknowledgement.",
        ["Alert rules"] = "Alert rules: the built-in ones with their configured settings, and custom rules over sample counters.",
        ["Alert receivers"] = "Where alerts go: Alertmanagers and signed webhooks, configured or made here, with each one's delivery state and log (secrets never shown).",
        ["Silences"] = "Silences: alerts they match while active are recorded but not delivered.",
        ["Agents"] = "Agent enrollment: a host trades a one-time enrollment token for its agent credential.",
        ["API keys"] = "API keys for automation; each has a role. The secret is shown once, when the key is created.",
        ["Audit"] = "Who changed what and when, with the values before and after (secrets redacted).",
        ["Enrollment tokens"] = "Tokens that let new hosts enroll; the secret is shown once, when the token is created.",
        ["Events"] = "The fleet's event log: rollouts, health changes and agent connections.",
        ["Hosts"] = "Enrolled hosts: their labels, agent inventory and capabilities, and their links.",
        ["Links"] = "Bonded links: the desired spec (a new generation per change), the rollout, members and policy history.",
        ["Aggregator sites"] = "The sites of an aggregator link: one call adds a site (its striper link on its host and its entry at the aggregator, with the id, prefix and key the Api allocates), one changes a site's paths and options on both sides, one removes both sides.",
        ["Link pairs"] = "Striper links between two Fleet hosts as one resource: the Api generates the key, picks ports and tunnel addresses, and changes both ends together.",
        ["Samples"] = "Recorded throughput, drops, reorder depth, RTT, loss and health of links and members over time; of an aggregator, one site's session and paths with site=.",
        ["Doctor"] = "Why a link does or does not aggregate: a verdict and ranked findings with their evidence (docs/doctor.md).",
        ["Users"] = "Dashboard users, their roles and passwords.",
    };

    public static IServiceCollection AddFleetOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Fleet API",
                Version = "v1",
                Description = "Control plane for bonded network links. Authenticate with an API key as "
                    + "'Authorization: Bearer fleet_k_…' (or the dashboard's session cookie). Errors are RFC 7807 "
                    + "ProblemDetails. See docs/rest-api.md.",
                Contact = new OpenApiContact { Name = "The Fleet authors" },
                // As deploy/debian/copyright says: no public license has been chosen yet. An SPDX LicenseRef names it.
                License = new OpenApiLicense { Name = "Fleet (all rights reserved by its authors)", Identifier = "LicenseRef-Fleet" },
            };

            // The server is the one that answered (scheme, host and path base of the request). Paths start with '/',
            // so a base URL ending in '/' would make every operation's URL "//api/…".
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                if (tag.Name is { } name && s_tagDescriptions.TryGetValue(name, out var description))
                {
                    tag.Description = description;
                }
            }

            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (fleet_k_…); its role decides what it may do.",
            };
            document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = ".fleet.session",
                Description = "The dashboard's session cookie after POST /account/login.",
            };
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("cookie", document)] = [] },
            ];
            return Task.CompletedTask;
        }));

    public static IEndpointConventionBuilder MapOpenApiDocument(this WebApplication app) =>
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();

    public static WebApplication UseFleetApiBrowser(this WebApplication app)
    {
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = BrowserPath;
            o.SwaggerEndpoint(DocumentPath, "Fleet API v1");
            o.DocumentTitle = "Fleet API";
        });
        return app;
    }
}
