using Fleet.Api.Data;
using Fleet.Contracts.Links;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links;

/// <summary>
/// The one rule for a striper link's pre-shared key (and an aggregator's sites' keys) at rest: <c>links.spec</c> and every <c>policy_revisions.spec</c>
/// hold it encrypted with the data-protection key ring (purpose <see cref="Purpose"/>), as
/// <see cref="StoredPrefix"/> + the protected payload. The entities hold the stored form
/// (<see cref="ForStorage"/> on the way in); whatever hands a spec to an operator or to the owning agent asks
/// <see cref="FromStorage"/> for the key in clear. A key stored in clear by an earlier version is read as it is and
/// encrypted in place at start (<see cref="ProtectStoredKeysAsync"/>).
/// </summary>
public sealed partial class StriperKeyProtection(IDataProtectionProvider provider, ILogger<StriperKeyProtection> logger)
{
    /// <summary>The data-protection purpose: a key protected for anything else cannot be read as a striper key.</summary>
    public const string Purpose = "Fleet.Links.StriperKey.v1";

    /// <summary>Marks a stored key as protected. A valid key is base64, which has no ':', so a clear key never starts with it.</summary>
    public const string StoredPrefix = "dp1:";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    /// <summary>True when every key of the spec (a striper link's, an aggregator's sites') is in its stored, encrypted form.</summary>
    public static bool IsStored(LinkSpec spec) => Keys(spec).All(k => k.StartsWith(StoredPrefix, StringComparison.Ordinal));

    /// <summary>The spec as it is stored: its keys encrypted. A key already in stored form (a revision reverted to) stays as it is.</summary>
    public LinkSpec ForStorage(LinkSpec spec) => IsStored(spec)
        ? spec
        : MapKeys(spec, key => key.StartsWith(StoredPrefix, StringComparison.Ordinal) ? key : StoredPrefix + _protector.Protect(key));

    /// <summary>The spec with its keys in clear, for operators and the owning agent; a clear key from an earlier version passes through.</summary>
    public LinkSpec FromStorage(LinkSpec spec) => MapKeys(spec, key => key.StartsWith(StoredPrefix, StringComparison.Ordinal) ? _protector.Unprotect(key[StoredPrefix.Length..]) : key);

    /// <summary>
    /// The spec with every key it holds replaced by <paramref name="map"/>'s answer: a striper link's key and each
    /// site's key of an aggregator link. The one place that knows where keys sit in a spec.
    /// </summary>
    public static LinkSpec MapKeys(LinkSpec spec, Func<string, string> map)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(map);
        if (spec.Striper is { } striper)
        {
            spec = spec with { Striper = striper with { Key = map(striper.Key) } };
        }

        if (spec.Aggregator is { Sites.Count: > 0 } aggregator)
        {
            spec = spec with
            {
                Aggregator = aggregator with { Sites = [.. aggregator.Sites.Select(s => s with { Striper = s.Striper with { Key = map(s.Striper.Key) } })] },
            };
        }

        return spec;
    }

    private static IEnumerable<string> Keys(LinkSpec spec) =>
        (spec.Striper is { } striper ? [striper.Key] : Enumerable.Empty<string>())
            .Concat(spec.Aggregator?.Sites.Select(s => s.Striper.Key) ?? []);

    /// <summary>Encrypts the keys an earlier version stored in clear, in every link and revision (deleted links' included).</summary>
    public async Task ProtectStoredKeysAsync(FleetDbContext db, CancellationToken cancellationToken)
    {
        var links = await db.Links.Where(l => l.Kind == LinkKind.Striper || l.Kind == LinkKind.Aggregator).ToListAsync(cancellationToken);
        var linkIds = links.Select(l => l.Id).ToList();
        var revisions = await db.PolicyRevisions.Where(r => linkIds.Contains(r.LinkId)).ToListAsync(cancellationToken);
        var count = 0;
        foreach (var link in links.Where(l => !IsStored(l.Spec)))
        {
            link.Spec = ForStorage(link.Spec);
            count++;
        }

        foreach (var revision in revisions.Where(r => !IsStored(r.Spec)))
        {
            revision.Spec = ForStorage(revision.Spec);
            count++;
        }

        if (count == 0)
        {
            return;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            LogProtected(count);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another replica starting at the same time got there first (or the link changed): its rows are encrypted
            // by whoever wrote them; anything left is done at the next start, and reads cope with clear keys meanwhile.
            LogRaced(count);
        }
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Encrypted {Count} striper pre-shared key(s) stored in clear by an earlier version")]
    private partial void LogProtected(int count);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Encrypting {Count} striper pre-shared key(s) stored in clear raced with another writer; the rest is done at the next start")]
    private partial void LogRaced(int count);
}
