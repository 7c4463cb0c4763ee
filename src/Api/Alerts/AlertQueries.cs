using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts;

/// <summary>The alert list's filters, one implementation for REST (<c>GET /api/v1/alerts</c>) and the dashboard's Alerts page.</summary>
public static class AlertQueries
{
    /// <summary>Alerts of <paramref name="status"/>, of the host and of the link given (each only when given).</summary>
    public static IQueryable<AlertEntity> Matching(this IQueryable<AlertEntity> rows, AlertStatus? status, Guid? hostId, Guid? linkId)
    {
        if (status is { } s)
        {
            rows = rows.Where(a => a.Status == s);
        }

        if (hostId is { } host)
        {
            rows = rows.Where(a => a.HostId == host);
        }

        if (linkId is { } link)
        {
            rows = rows.Where(a => a.LinkId == link);
        }

        return rows;
    }
}
