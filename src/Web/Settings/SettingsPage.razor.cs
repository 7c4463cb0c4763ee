using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Settings;

/// <summary>
/// Admin settings: users, API keys and enrollment tokens. A new key's or token's secret is shown once, in the response
/// to the post that created it (never stored in clear, never shown again), with the exact enroll command for tokens.
/// </summary>
public partial class SettingsPage
{
    private const string CopyModule = App.ContentRoot + "js/copy.js";

    /// <summary>What to do: create-user, set-role, delete-user, create-key, revoke-key, create-token, revoke-token.</summary>
    [SupplyParameterFromForm]
    public string? Command { get; set; }

    /// <summary>The user, key or token acted on.</summary>
    [SupplyParameterFromForm]
    public Guid? TargetId { get; set; }

    /// <summary>User name or key name.</summary>
    [SupplyParameterFromForm]
    public string? Name { get; set; }

    /// <summary>A new user's password.</summary>
    [SupplyParameterFromForm]
    public string? Password { get; set; }

    /// <summary>Role of a user or key.</summary>
    [SupplyParameterFromForm]
    public string? Role { get; set; }

    /// <summary>An enrollment token's description.</summary>
    [SupplyParameterFromForm]
    public string? Description { get; set; }

    /// <summary>An enrollment token's validity in hours.</summary>
    [SupplyParameterFromForm]
    public int? ValidHours { get; set; }

    [Inject]
    private ISettingsQuery Query { get; set; } = default!;

    [Inject]
    private ISettingsCommands Commands { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    private SettingsOverview? Model { get; set; }

    private SettingsResult? Result { get; set; }

    private string? Done { get; set; }

    private string? NewSecret { get; set; }

    private string SecretTitle { get; set; } = "";

    private string? EnrollCommand { get; set; }

    private DateTimeOffset Now => Clock.GetUtcNow();

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        if (HttpContext is { } context && HttpMethods.IsPost(context.Request.Method))
        {
            // A page that shows a secret must not be cached anywhere.
            context.Response.Headers.CacheControl = "no-store";
        }

        Model = await Query.GetSettingsAsync(Aborted);
    }

    private async Task OnCommandAsync()
    {
        if (!CanAdminister)
        {
            // [Authorize(Roles = admin)] already refused anyone else; this is the second lock.
            if (HttpContext is { Response.HasStarted: false } context)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            return;
        }

        var validFor = TimeSpan.FromHours(Math.Clamp(ValidHours ?? 24, 1, 24 * 30));
        Result = Command switch
        {
            "create-user" => await Commands.CreateUserAsync(Name?.Trim() ?? "", Password ?? "", Role ?? "", Aborted),
            "set-role" when TargetId is { } id => await Commands.SetUserRoleAsync(id, Role ?? "", Aborted),
            "delete-user" when TargetId is { } id => await Commands.DeleteUserAsync(id, Aborted),
            "create-key" => await Commands.CreateApiKeyAsync(Name?.Trim() ?? "", Role ?? "", Aborted),
            "revoke-key" when TargetId is { } id => await Commands.RevokeApiKeyAsync(id, Aborted),
            "create-token" => await Commands.CreateEnrollmentTokenAsync(string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(), validFor, Aborted),
            "revoke-token" when TargetId is { } id => await Commands.RevokeEnrollmentTokenAsync(id, Aborted),
            _ => SettingsResult.Error("command", "unknown action"),
        };

        if (Result.Succeeded)
        {
            Done = Command switch
            {
                "create-user" => $"User {Name} added.",
                "set-role" => "Role changed.",
                "delete-user" => "User deleted.",
                "create-key" => $"API key {Name} created.",
                "revoke-key" => "API key revoked.",
                "create-token" => "Enrollment token created.",
                "revoke-token" => "Enrollment token revoked.",
                _ => null,
            };
            if (Result.Secret is { } secret)
            {
                NewSecret = secret;
                SecretTitle = Command == "create-token" ? "New enrollment token" : $"New API key {Name}";
                EnrollCommand = Command == "create-token" ? EnrollCommandLine.For(ServerUrl(), secret) : null;
            }
        }

        Model = await Query.GetSettingsAsync(Aborted);
    }

    private string ServerUrl()
    {
        var request = HttpContext?.Request;
        return request is null ? "http://localhost:5080" : $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    private static string UserFormName(Guid id) => $"user-{id:N}";

    private static string KeyFormName(Guid id) => $"key-{id:N}";

    private static string TokenFormName(Guid id) => $"token-{id:N}";

    private static string RoleSelectId(Guid id) => $"role-{id:N}";

    private static string FieldLabel(string field) => string.IsNullOrEmpty(field) || field == "command" ? "" : field + ": ";
}

/// <summary>The command an operator runs on a host to enroll it (a host is enrolled once with a one-time token: docs/conventions.md, "Design targets").</summary>
public static class EnrollCommandLine
{
    /// <summary>
    /// <c>fleet-agent enroll --server URL --token SECRET</c>, quoted for a POSIX shell where needed. When the dashboard
    /// itself is served over plain HTTP (a test bed, a demo), the agent refuses that URL unless told otherwise, so the
    /// command says <c>--allow-insecure-http</c> too; over HTTPS it never does.
    /// </summary>
    public static string For(string serverUrl, string token) =>
        $"fleet-agent enroll --server {ShellWord(serverUrl)} --token {ShellWord(token)}"
        + (serverUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? " --allow-insecure-http" : "");

    private static string ShellWord(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or '=' or '+' or '@' or '%' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
