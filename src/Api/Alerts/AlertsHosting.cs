using Fleet.Api.Alerts.Caps;
using Fleet.Api.Alerts.Receivers;
using Fleet.Api.Alerts.Rules;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts;

/// <summary>Wiring of alerting: <c>builder.AddFleetAlerts()</c> (options, engine, delivery) and <c>api.MapAlertsApi()</c>.</summary>
public static class AlertsHosting
{
    public static WebApplicationBuilder AddFleetAlerts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        services.AddHttpClient(DeliveryResult.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddScoped<AlertCommands>();
        services.AddScoped<AlertRuleCommands>();
        services.AddSingleton<FleetObservationReader>();
        services.AddSingleton<AlertRecorder>();
        services.AddSingleton<LatestSamples>();
        services.AddSingleton<DataCapUsage>();
        services.AddSingleton<DataCapDemotion>();
        services.AddSingleton<PendingDemotions>();
        services.AddSingleton<AlertReceiverSecrets>();
        services.AddSingleton<AlertReceiverDirectory>();
        services.AddScoped<AlertReceiverCommands>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<AlertmanagerSender>();
        services.AddSingleton<AlertNotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertNotificationDispatcher>());
        services.AddSingleton<AlertEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEngine>());
        services.AddSingleton<AlertmanagerResender>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertmanagerResender>());
        return builder;
    }
}
