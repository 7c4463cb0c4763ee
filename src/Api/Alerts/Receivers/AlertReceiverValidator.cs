using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>Checks a receiver request and reports every field's error at once (REST's ProblemDetails <c>errors</c>).</summary>
public static class AlertReceiverValidator
{
    public const int MaxSecretLength = 256;

    /// <summary>
    /// Field errors of <paramref name="request"/>. <paramref name="current"/> is the receiver being replaced: its name
    /// stays, and a webhook keeps its secret when the request has none.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> ValidateAsync(
        FleetDbContext db, AlertOptions options, AlertReceiverRequest request, AlertReceiverEntity? current, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (current is not null)
        {
            if (request.Name is not null && request.Name != current.Name)
            {
                errors["name"] = ["cannot change: the delivery log names the receiver by it (create another receiver)"];
            }
        }
        else if (!IsName(request.Name))
        {
            errors["name"] = [$"is required: 1–{AlertReceiverEntity.NameMaxLength} of a–z, 0–9, '_' and '-', starting with a letter"];
        }
        else if (options.Receivers.Any(r => r.Name == request.Name) || await db.AlertReceivers.AnyAsync(r => r.Name == request.Name, cancellationToken))
        {
            errors["name"] = ["another receiver has this name"];
        }

        if (request.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors["kind"] = ["is required: alertmanager or webhook"];
        }

        if (request.Url is not { IsAbsoluteUri: true, Scheme: "http" or "https" } url || url.OriginalString.Length > AlertReceiverEntity.UrlMaxLength)
        {
            errors["url"] = [$"is required: an absolute http or https address of at most {AlertReceiverEntity.UrlMaxLength} characters"];
        }
        else if (url.UserInfo.Length > 0)
        {
            // A password in a URL ends up wherever the URL is shown or logged.
            errors["url"] = ["must not carry a user name or password"];
        }

        if (request.Kind == AlertReceiverKind.Webhook)
        {
            if (request.Secret is null && current?.ProtectedSecret is null)
            {
                errors["secret"] = ["is required for a webhook"];
            }
            else if (request.Secret is { Length: < AlertOptionsValidator.MinSecretLength or > MaxSecretLength })
            {
                errors["secret"] = [$"must be {AlertOptionsValidator.MinSecretLength}–{MaxSecretLength} characters"];
            }
        }
        else if (request.Kind == AlertReceiverKind.Alertmanager && request.Secret is not null)
        {
            errors["secret"] = ["is only for webhooks (Alertmanager's v2 API takes no signature)"];
        }

        if (request.MinSeverity is { } severity && !Enum.IsDefined(severity))
        {
            errors["minSeverity"] = ["must be warning or critical"];
        }

        return errors;
    }

    private static bool IsName(string? name) =>
        name is { Length: > 0 and <= AlertReceiverEntity.NameMaxLength } && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');
}
