using Fleet.Contracts.Links;

namespace Fleet.Api.Metrics;

/// <summary>A host as read for the metrics: its name and labels.</summary>
public sealed record CatalogHostRow(Guid Id, string Name, IReadOnlyList<KeyValuePair<string, string>> Labels);

/// <summary>A link as read for the metrics, with its members in position order.</summary>
public sealed record CatalogLinkRow(Guid Id, Guid HostId, string Name, LinkKind Kind, LinkPhase Phase, IReadOnlyList<(string Interface, MemberAdminState AdminState)> Members);

/// <summary>One member as published, with the attributes every series of it carries.</summary>
public sealed record CatalogMember(string Interface, MemberAdminState AdminState, KeyValuePair<string, object?>[] Tags)
{
    /// <summary><see cref="Tags"/> with direction tx.</summary>
    public KeyValuePair<string, object?>[] TxTags { get; } = [.. Tags, new(MetricTags.Direction, "tx")];

    /// <summary><see cref="Tags"/> with direction rx.</summary>
    public KeyValuePair<string, object?>[] RxTags { get; } = [.. Tags, new(MetricTags.Direction, "rx")];

    /// <summary>The tags of a series in <paramref name="direction"/> (<c>tx</c>, <c>rx</c>, or null for none).</summary>
    public KeyValuePair<string, object?>[] TagsFor(string? direction) => direction switch
    {
        null => Tags,
        "tx" => TxTags,
        "rx" => RxTags,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "a direction is tx or rx"),
    };
}

/// <summary>One link as published, with the attributes every series of it carries.</summary>
public sealed record CatalogLink(Guid Id, Guid HostId, LinkPhase Phase, KeyValuePair<string, object?>[] Tags, IReadOnlyList<CatalogMember> Members)
{
    /// <summary><see cref="Tags"/> with direction tx.</summary>
    public KeyValuePair<string, object?>[] TxTags { get; } = [.. Tags, new(MetricTags.Direction, "tx")];

    /// <summary><see cref="Tags"/> with direction rx.</summary>
    public KeyValuePair<string, object?>[] RxTags { get; } = [.. Tags, new(MetricTags.Direction, "rx")];
}

/// <summary>One host as published (for the agent's queue depth).</summary>
public sealed record CatalogHost(Guid Id, KeyValuePair<string, object?>[] Tags);

/// <summary>
/// What is published, read at <see cref="LoadedAt"/>: the hosts and links that passed the cardinality limits
/// (<see cref="MetricsOptions.HostLabel"/>, <see cref="MetricsOptions.MaxMembers"/>); <see cref="OmittedMembers"/> fell
/// over the member limit.
/// </summary>
public sealed record CatalogSnapshot(DateTimeOffset LoadedAt, IReadOnlyList<CatalogHost> Hosts, IReadOnlyList<CatalogLink> Links, int OmittedMembers)
{
    public static CatalogSnapshot Empty { get; } = new(DateTimeOffset.MinValue, [], [], 0);

    /// <summary>
    /// Applies the cardinality limits to what was read: only hosts with <see cref="MetricsOptions.HostLabel"/> (when
    /// set); hosts in name order, each one's links in name order, whole links while they fit in
    /// <see cref="MetricsOptions.MaxMembers"/> (a link is never cut in half).
    /// </summary>
    public static CatalogSnapshot Build(MetricsOptions options, DateTimeOffset loadedAt, IEnumerable<CatalogHostRow> hosts, IEnumerable<CatalogLinkRow> links)
    {
        var filter = options.ParsedHostLabel();
        var linksByHost = links.ToLookup(l => l.HostId);
        var catalogHosts = new List<CatalogHost>();
        var catalogLinks = new List<CatalogLink>();
        var budget = options.MaxMembers;
        var omitted = 0;
        foreach (var host in hosts.OrderBy(h => h.Name, StringComparer.Ordinal).ThenBy(h => h.Id))
        {
            if (filter is var (key, value) && !host.Labels.Any(l => l.Key == key && (value is null || l.Value == value)))
            {
                continue;
            }

            var labels = string.Join(',', host.Labels.Select(l => l.Key + "=" + l.Value).Order(StringComparer.Ordinal));
            KeyValuePair<string, object?>[] hostTags = options.IncludeLabels
                ? [new(MetricTags.Host, host.Name), new(MetricTags.Labels, labels)]
                : [new(MetricTags.Host, host.Name)];
            catalogHosts.Add(new CatalogHost(host.Id, hostTags));
            foreach (var link in linksByHost[host.Id].OrderBy(l => l.Name, StringComparer.Ordinal).ThenBy(l => l.Id))
            {
                if (link.Members.Count > budget)
                {
                    omitted += link.Members.Count;
                    continue;
                }

                budget -= link.Members.Count;
                KeyValuePair<string, object?>[] linkTags = [.. hostTags, new(MetricTags.Link, link.Name), new(MetricTags.Kind, MetricTags.KindName(link.Kind))];
                var members = link.Members
                    .Select(m => new CatalogMember(m.Interface, m.AdminState, [.. linkTags, new(MetricTags.Member, m.Interface)]))
                    .ToList();
                catalogLinks.Add(new CatalogLink(link.Id, link.HostId, link.Phase, linkTags, members));
            }
        }

        return new CatalogSnapshot(loadedAt, catalogHosts, catalogLinks, omitted);
    }
}
