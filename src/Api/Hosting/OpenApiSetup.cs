using Microsoft.OpenApi;

namespace Fleet.Api.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the Swagger UI browser at <c>/api/docs</c>, both anonymous.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string BrowserPath = "api/docs";

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
            };
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
