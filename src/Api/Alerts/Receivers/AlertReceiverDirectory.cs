using System.Security.Cryptography;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// Every receiver alerts go to: the configured ones (<c>Fleet:Alerts:Receivers</c>) and those made over REST
/// (<c>alert_receivers</c>, secrets decrypted). The stored ones are read at most every <see cref="CacheFor"/>, and at
/// once after this replica's <see cref="AlertReceiverCommands"/> changed one; another replica's change is seen within
/// that time. A stored secret the key ring cannot decrypt (a lost or foreign key ring) leaves that receiver without its
/// secret: its deliveries fail into its own log, and every other receiver, and the recording of alerts, go on.
/// </summary>
public sealed partial class AlertReceiverDirectory(
    IDbContextFactory<FleetDbContext> contexts, AlertReceiverSecrets secrets, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertReceiverDirectory> logger)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private Snapshot? _snapshot;
    private long _generation;

    /// <summary>The receivers now: configured first, then stored by name.</summary>
    public async ValueTask<IReadOnlyList<AlertReceiverOptions>> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Volatile.Read(ref _snapshot) is { } cached && now - cached.ReadAt < CacheFor)
        {
            return cached.Receivers;
        }

        var generation = Interlocked.Read(ref _generation);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stored = await db.AlertReceivers.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        List<AlertReceiverOptions> receivers =
        [
            .. options.Value.Receivers,
            .. stored.Select(r => new AlertReceiverOptions
            {
                Name = r.Name,
                Kind = r.Kind,
                Url = new Uri(r.Url),
                Secret = r.ProtectedSecret is { } secret ? Unprotect(r.Name, secret) : null,
                MinSeverity = r.MinSeverity,
            }),
        ];
        // A read that began before a change must not cache what it read over the change's invalidation.
        if (Interlocked.Read(ref _generation) == generation)
        {
            Volatile.Write(ref _snapshot, new Snapshot(now, receivers));
        }

        return receivers;
    }

    private string? Unprotect(string receiver, string secret)
    {
        try
        {
            return secrets.Unprotect(secret);
        }
        catch (CryptographicException ex)
        {
            LogSecretUnreadable(receiver, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 3425, Level = LogLevel.Error, Message = "Alert receiver {Receiver}: its stored secret cannot be decrypted ({Reason}); its deliveries fail until the secret is set again")]
    private partial void LogSecretUnreadable(string receiver, string reason);

    /// <summary>Forgets the cached receivers: the next delivery reads them again.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _snapshot, null);
    }

    private sealed record Snapshot(DateTimeOffset ReadAt, IReadOnlyList<AlertReceiverOptions> Receivers);
}
