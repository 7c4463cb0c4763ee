using Fleet.Api.Audit;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Hosting;

/// <summary>
/// First start on an empty database: the <c>admin</c> user with <c>Fleet:Bootstrap:AdminPassword</c> or a generated
/// password printed once to the console (never logged). Every start: the configured bootstrap admin API key, if set
/// and not yet known (a revoked one stays revoked).
/// </summary>
internal sealed partial class Bootstrapper(
    FleetDbContext db,
    IOptions<FleetOptions> options,
    IPasswordHasher<UserEntity> passwordHasher,
    AuditLog audit,
    TimeProvider timeProvider,
    ILogger<Bootstrapper> logger)
{
    public const string AdminUserName = "admin";
    public const string BootstrapKeyName = "bootstrap-admin";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var bootstrap = options.Value.Bootstrap;
        string? generatedPassword = null;
        if (!await db.Users.AnyAsync(cancellationToken))
        {
            var password = bootstrap.AdminPassword;
            if (password is null)
            {
                password = generatedPassword = PasswordRules.Generate();
            }

            var user = new UserEntity
            {
                Id = Guid.CreateVersion7(),
                UserName = AdminUserName,
                PasswordHash = "",
                Role = FleetRole.Admin,
                SecurityStamp = Guid.NewGuid().ToString("N"),
                CreatedAt = now,
            };
            user.PasswordHash = passwordHasher.HashPassword(user, password);
            db.Users.Add(user);
            audit.Record(AuditLog.SystemActor, "user.create", "user", user.Id, before: null, after: new { user.UserName, user.Role, source = "bootstrap" });
        }

        if (bootstrap.AdminApiKey is { } secret)
        {
            var hash = Secrets.Hash(secret);
            if (!await db.ApiKeys.AnyAsync(k => k.SecretHash == hash, cancellationToken))
            {
                var key = new ApiKeyEntity
                {
                    Id = Guid.CreateVersion7(),
                    Name = BootstrapKeyName,
                    Role = FleetRole.Admin,
                    SecretHash = hash,
                    Prefix = Secrets.DisplayPrefix(secret),
                    CreatedAt = now,
                    CreatedBy = AuditLog.SystemActor,
                };
                db.ApiKeys.Add(key);
                audit.Record(AuditLog.SystemActor, "api_key.create", "api_key", key.Id, before: null, after: new { key.Name, key.Role, key.Prefix, source = "bootstrap" });
            }
        }

        if (!db.ChangeTracker.HasChanges())
        {
            return;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another replica bootstrapped the same database at the same moment (unique user name / key hash).
            LogRaced(logger);
            return;
        }

        if (generatedPassword is not null)
        {
            // Printed, not logged: log pipelines are shipped and kept; the console of the first start is not.
            await Console.Out.WriteLineAsync(
                $"""

                 ==================================================================
                   Fleet: created user '{AdminUserName}' with a generated password:
                       {generatedPassword}
                   It is shown only this once. Log in and change it.
                 ==================================================================

                """);
            await Console.Out.FlushAsync(cancellationToken);
        }

        LogBootstrapped(logger, generatedPassword is not null);
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Bootstrap done (admin password generated and printed: {Generated})")]
    private static partial void LogBootstrapped(ILogger logger, bool generated);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Bootstrap raced with another replica; keeping theirs")]
    private static partial void LogRaced(ILogger logger);
}
