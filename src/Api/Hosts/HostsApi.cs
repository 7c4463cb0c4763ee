using System.Security.Claims;
using Fleet.Api.Agents;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Enrollment;
using Fleet.Api.Links;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Hosts;

/// <summary>Hosts: list (filters, cursor pagination), get, rename and relabel, decommission, their links.</summary>
public static class HostsApi
{
    public const int MaxLabels = 32;

    public static RouteGroupBuilder MapHostsApi(this RouteGroupBuilder api)
    {
        var hosts = api.MapGroup("/hosts").WithTags("Hosts");
        hosts.MapGet("", ListAsync)
            .WithName("ListHosts").WithSummary("List hosts in enrollment order; filter by name substring, labels (label=key=value, repeatable) and status.");
        hosts.MapGet("/{id:guid}", GetAsync)
            .WithName("GetHost").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get a host with its labels, agent inventory and capabilities.");
        hosts.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("UpdateHost").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Rename a host and/or replace its labels.");
        hosts.MapPost("/{id:guid}/decommission", DecommissionAsync).RequireAuthorization(FleetPolicies.Admin)
            .WithName("DecommissionHost").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Decommission a host: its agent credentials are revoked and it disappears from the default list.");
        hosts.MapGet("/{id:guid}/links", ListLinksAsync)
            .WithName("ListHostLinks").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("The host's live links.");
        return api;
    }

    internal static HostDto ToDto(HostEntity host, DateTimeOffset now) => new()
    {
        Id = host.Id,
        Name = host.Name,
        Hostname = host.Hostname,
        Labels = host.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        AgentVersion = host.AgentVersion,
        KernelVersion = host.KernelVersion,
        Capabilities = host.Capabilities,
        Interfaces = host.Interfaces,
        EnrolledAt = host.EnrolledAt,
        LastSeenAt = host.LastSeenAt,
        Online = IsOnline(host, now),
        ConnectedSince = IsOnline(host, now) ? host.ConnectedSince : null,
        DecommissionedAt = host.DecommissionedAt,
    };

    private static bool IsOnline(HostEntity host, DateTimeOffset now) =>
        host.DecommissionedAt is null && HostPresence.IsOnline(host.ConnectedSince, host.LastSeenAt, now);

    private static async Task<Results<Ok<Page<HostDto>>, ValidationProblem>> ListAsync(
        string? name, string[]? label, string? status, [AsParameters] PageQuery paging,
        FleetDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = paging.Parse(errors);
        var labels = new List<(string Key, string Value)>();
        foreach (var item in label ?? [])
        {
            var separator = item.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                errors["label"] = ["must be key=value"];
                continue;
            }

            labels.Add((item[..separator], item[(separator + 1)..]));
        }

        if (status is not (null or "active" or "decommissioned" or "all"))
        {
            errors["status"] = ["must be one of: active, decommissioned, all"];
        }

        if (name is { Length: > HostEntity.NameMaxLength })
        {
            errors["name"] = [$"must be at most {HostEntity.NameMaxLength} characters"];
        }

        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Hosts.AsNoTracking().Include(h => h.Labels).AsQueryable();
        query = (status ?? "active") switch
        {
            "active" => query.Where(h => h.DecommissionedAt == null),
            "decommissioned" => query.Where(h => h.DecommissionedAt != null),
            _ => query,
        };
        if (!string.IsNullOrEmpty(name))
        {
            var lowered = name.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to LOWER(x) LIKE on both providers; the StringComparison overload is not translatable.
            query = query.Where(h => h.Name.ToLower().Contains(lowered) || h.Hostname.ToLower().Contains(lowered));
#pragma warning restore CA1862
        }

        foreach (var (key, value) in labels)
        {
            query = query.Where(h => h.Labels.Any(l => l.Key == key && l.Value == value));
        }

        if (p.Cursor is { } after)
        {
            query = query.Where(h => h.Id.CompareTo(after) > 0);
        }

        var rows = await query.OrderBy(h => h.Id).Take(p.Limit + 1).ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        return TypedResults.Ok(Paging.ToPage(rows, p.Limit, h => h.Id, h => ToDto(h, now)));
    }

    private static async Task<Results<Ok<HostDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var host = await db.Hosts.AsNoTracking().Include(h => h.Labels).SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        return host is null ? Problems.NotFound($"Host {id}") : TypedResults.Ok(ToDto(host, timeProvider.GetUtcNow()));
    }

    private static async Task<Results<Ok<HostDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateHostRequest request, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (request.Name is not null && HostNames.CheckDisplayName(request.Name) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        CheckLabels(request.Labels, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var host = await db.Hosts.Include(h => h.Labels).SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (host is null)
        {
            return Problems.NotFound($"Host {id}");
        }

        var before = ToDto(host, now);
        if (request.Name is not null)
        {
            host.Name = request.Name;
        }

        if (request.Labels is not null)
        {
            foreach (var existing in host.Labels.ToList())
            {
                if (!request.Labels.TryGetValue(existing.Key, out var value))
                {
                    host.Labels.Remove(existing);
                    db.HostLabels.Remove(existing);
                }
                else
                {
                    existing.Value = value;
                }
            }

            foreach (var (key, value) in request.Labels)
            {
                if (host.Labels.All(l => l.Key != key))
                {
                    host.Labels.Add(new HostLabelEntity { HostId = host.Id, Key = key, Value = value });
                }
            }
        }

        if (db.ChangeTracker.HasChanges())
        {
            audit.Record(user, "host.update", "host", host.Id, before, ToDto(host, now));
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(ToDto(host, now));
    }

    private static async Task<Results<Ok<HostDto>, ProblemHttpResult>> DecommissionAsync(
        Guid id, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, ILinkChangeFeed feed, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var host = await db.Hosts.Include(h => h.Labels).SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (host is null)
        {
            return Problems.NotFound($"Host {id}");
        }

        if (host.DecommissionedAt is not null)
        {
            return TypedResults.Ok(ToDto(host, now));
        }

        var before = ToDto(host, now);
        host.DecommissionedAt = now;
        foreach (var credential in await db.AgentCredentials.Where(c => c.HostId == id && c.RevokedAt == null).ToListAsync(cancellationToken))
        {
            credential.RevokedAt = now;
        }

        audit.Record(user, "host.decommission", "host", host.Id, before, ToDto(host, now));
        await db.SaveChangesAsync(cancellationToken);
        feed.Publish(new LinkChange(LinkChangeKind.HostDecommissioned, host.Id, Guid.Empty, 0));
        return TypedResults.Ok(ToDto(host, now));
    }

    private static async Task<Results<Ok<IReadOnlyList<LinkDto>>, ProblemHttpResult>> ListLinksAsync(
        Guid id, ClaimsPrincipal user, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        if (!await db.Hosts.AnyAsync(h => h.Id == id, cancellationToken))
        {
            return Problems.NotFound($"Host {id}");
        }

        var links = await db.Links.AsNoTracking().Include(l => l.Members)
            .Where(l => l.HostId == id && l.DeletedAt == null)
            .OrderBy(l => l.Name)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<LinkDto>>([.. links.Select(l => LinkMapping.ToDto(l, user, keys))]);
    }

    private static void CheckLabels(IReadOnlyDictionary<string, string>? labels, Dictionary<string, string[]> errors)
    {
        if (labels is null)
        {
            return;
        }

        if (labels.Count > MaxLabels)
        {
            errors["labels"] = [$"at most {MaxLabels} labels"];
        }

        foreach (var (key, value) in labels)
        {
            if (!HostLabelRules.IsKey(key) || !HostLabelRules.IsValue(value))
            {
                errors[$"labels.{key}"] = [$"labels: {HostLabelRules.Text}"];
            }
        }
    }
}
