using Fleet.Api.Account;
using Fleet.Api.Alerts;
using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Alerts.Rules;
using Fleet.Api.ApiKeys;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Configuration;
using Fleet.Api.Dashboard;
using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Api.Enrollment;
using Fleet.Api.Events;
using Fleet.Api.Hosts;
using Fleet.Api.Links;
using Fleet.Api.Links.Aggregators;
using Fleet.Api.Links.Pairs;
using Fleet.Api.Metrics;
using Fleet.Api.Replication;
using Fleet.Api.Samples;
using Fleet.Api.Security;
using Fleet.Api.Users;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Hosting;

/// <summary>The Api's wiring: <c>builder.AddFleetApi()</c>, <c>app.MapFleetApi()</c>, <c>app.RunFleetAsync(args)</c>.</summary>
public static class FleetApiHosting
{
    /// <summary>Where the Api listens when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c> nor Kestrel endpoints say.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    public static WebApplicationBuilder AddFleetApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        UseDefaultUrlIfNoneConfigured(builder);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        services.AddOptions<FleetOptions>().BindConfiguration(FleetOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FleetOptions>, FleetOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // Data: one pool; the factory is for singletons (the agent hub's ingest), the scoped context for requests.
        services.AddSingleton(sp => FleetDatabase.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddFleetDbContexts();
        services.AddSingleton<DatabaseReadiness>();
        services.AddScoped<Bootstrapper>();
        services.AddHostedService<DatabaseInitializer>();
        services.AddScoped<AuditLog>();

        // The application layer: one service per aggregate that every door (REST, dashboard, demo) changes it through.
        services.AddScoped<LinkCommands>();
        services.AddScoped<LinkPairCommands>();
        services.AddScoped<AggregatorSiteCommands>();
        services.AddScoped<StriperReachability>();
        services.AddScoped<LinkDoctorQuery>();
        services.AddScoped<SpeedTestCommands>();
        services.AddScoped<SpeedTestScheduleCommands>();
        services.AddSingleton<SpeedTestScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<SpeedTestScheduler>());
        services.AddScoped<UserCommands>();
        services.AddScoped<ApiKeyCommands>();
        services.AddScoped<EnrollmentTokenCommands>();
        services.AddSingleton<FleetSnapshotCache>();
        builder.AddFleetReplication();
        services.AddSingleton<SampleRollupService>();
        services.AddHostedService(sp => sp.GetRequiredService<SampleRollupService>());

        services.AddFleetSecurity(builder.Environment);

        // Errors: ProblemDetails everywhere; binding failures are thrown so FleetExceptionHandler can keep their 4xx.
        services.AddProblemDetails();
        services.AddExceptionHandler<FleetExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => FleetJson.Configure(o.SerializerOptions));

        services.AddFleetOpenApi();
        builder.AddFleetMetrics();
        builder.AddFleetAlerts();
        builder.AddFleetTelemetry();

        // Under systemd (a Type=notify unit): READY=1 once Kestrel listens, STOPPING=1 on SIGTERM, journal log lines.
        // Elsewhere (containers, a terminal, tests) it does nothing.
        services.AddSystemd();
        return builder;
    }

    public static WebApplication MapFleetApi(this WebApplication app)
    {
        app.UseFleetForwardedHeaders();
        app.UseExceptionHandler();
        // An error status with no body: a page a browser asked for shows the dashboard's own page (/error/403,
        // /error/404, keeping the status); anything else gets ProblemDetails JSON, even when the client would take HTML.
        app.UseWhen(RequestKinds.IsPage, page => page.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseWhen(context => !RequestKinds.IsPage(context), other => other.UseStatusCodePages(status => Results.Problem(statusCode: status.HttpContext.Response.StatusCode).ExecuteAsync(status.HttpContext)));

        // Routing after the status-code pages, so that a re-executed request is routed to its error page.
        app.UseRouting();
        app.UseRequestBodyLimit();

        // The API browser is static documentation: served before authentication, like /openapi/v1.json.
        app.UseFleetApiBrowser();

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapOpenApiDocument();
        app.MapAccountEndpoints();
        app.MapFleetMetrics();

        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(FleetPolicies.Viewer)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapCallerApi();
        api.MapHostsApi();
        api.MapLinksApi();
        api.MapLinkPairsApi();
        api.MapAggregatorSitesApi();
        api.MapSamplesApi();
        api.MapDoctorApi();
        api.MapSpeedTestsApi();
        api.MapSpeedTestSchedulesApi();
        api.MapEventsApi();
        api.MapEnrollmentTokensApi();
        api.MapEnrollApi();
        api.MapApiKeysApi();
        api.MapUsersApi();
        api.MapAuditApi();
        api.MapAlertsApi();
        api.MapAlertRulesApi();
        api.MapAlertReceiversApi();
        return app;
    }

    /// <summary>Runs the Api, or a sub-command: <c>fleet-api migrate</c> applies migrations and exits.</summary>
    public static async Task<int> RunFleetAsync(this WebApplication app, string[] args)
    {
        if (args.Length > 0 && args[0] == "migrate")
        {
            return await DatabaseMigrator.RunCommandAsync(app.Services, app.Lifetime.ApplicationStopping);
        }

        await app.RunAsync();
        return 0;
    }

    private static void UseDefaultUrlIfNoneConfigured(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    /// <summary>Caps every request body at <c>Fleet:Limits:MaxRequestBodyBytes</c>; Kestrel answers more with 413.</summary>
    private static void UseRequestBodyLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<IOptions<FleetOptions>>().Value.Limits.MaxRequestBodyBytes;
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            return next(context);
        });
    }
}
