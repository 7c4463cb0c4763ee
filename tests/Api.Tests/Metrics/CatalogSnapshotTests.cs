using Fleet.Api.Metrics;
using Fleet.Contracts.Links;

namespace Fleet.Api.Tests.Metrics;

/// <summary>The cardinality limits: which hosts, links and members are published.</summary>
public sealed class CatalogSnapshotTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static readonly CatalogHostRow s_prodAms = Host("b-prod-ams", ("env", "prod"), ("site", "ams"));
    private static readonly CatalogHostRow s_prodFra = Host("a-prod-fra", ("env", "prod"), ("site", "fra"));
    private static readonly CatalogHostRow s_lab = Host("c-lab", ("env", "lab"));
    private static readonly CatalogHostRow s_bare = Host("d-bare");

    private static readonly CatalogLinkRow[] s_links =
    [
        Link(s_prodAms, "bond0", 2), Link(s_prodAms, "str0", 4),
        Link(s_prodFra, "bond0", 2),
        Link(s_lab, "bond0", 3),
        Link(s_bare, "teql0", 1),
    ];

    [Fact]
    public void Build_NoLimits_PublishesEveryHostLinkAndMemberInNameOrder()
    {
        var snapshot = Build(new MetricsOptions());

        Assert.Equal(["a-prod-fra", "b-prod-ams", "c-lab", "d-bare"], snapshot.Hosts.Select(h => HostName(h.Tags)));
        Assert.Equal(["a-prod-fra/bond0", "b-prod-ams/bond0", "b-prod-ams/str0", "c-lab/bond0", "d-bare/teql0"], snapshot.Links.Select(LinkName));
        Assert.Equal(12, snapshot.Links.Sum(l => l.Members.Count));
        Assert.Equal(0, snapshot.OmittedMembers);
        Assert.Equal(s_now, snapshot.LoadedAt);
    }

    [Fact]
    public void Build_HostLabelKeyOnly_PublishesHostsWithTheKeyWhateverItsValue()
    {
        var snapshot = Build(new MetricsOptions { HostLabel = "env" });

        Assert.Equal(["a-prod-fra", "b-prod-ams", "c-lab"], snapshot.Hosts.Select(h => HostName(h.Tags)));
        Assert.DoesNotContain(snapshot.Links, l => l.HostId == s_bare.Id);
    }

    [Fact]
    public void Build_HostLabelKeyAndValue_PublishesOnlyMatchingHostsLinks()
    {
        var snapshot = Build(new MetricsOptions { HostLabel = "env=prod" });

        Assert.Equal(["a-prod-fra/bond0", "b-prod-ams/bond0", "b-prod-ams/str0"], snapshot.Links.Select(LinkName));
        Assert.All(snapshot.Links.SelectMany(l => l.Members), m => Assert.Contains(m.Tags, t => t.Key == MetricTags.Labels && ((string)t.Value!).Contains("env=prod", StringComparison.Ordinal)));
    }

    [Fact]
    public void Build_MaxMembers_PublishesWholeLinksInOrderAndCountsTheRest()
    {
        // 2 (a/bond0) + 2 (b/bond0) fit in 5; b/str0 (4) does not, c/bond0 (3) does not, d/teql0 (1) still fits.
        var snapshot = Build(new MetricsOptions { MaxMembers = 5 });

        Assert.Equal(["a-prod-fra/bond0", "b-prod-ams/bond0", "d-bare/teql0"], snapshot.Links.Select(LinkName));
        Assert.Equal(7, snapshot.OmittedMembers);
    }

    [Fact]
    public void Build_IncludeLabelsOff_SeriesCarryNoLabelsAttribute()
    {
        var snapshot = Build(new MetricsOptions { IncludeLabels = false });

        Assert.All(snapshot.Links.SelectMany(l => l.Members), m => Assert.DoesNotContain(m.Tags, t => t.Key == MetricTags.Labels));
        Assert.All(snapshot.Hosts, h => Assert.DoesNotContain(h.Tags, t => t.Key == MetricTags.Labels));
    }

    [Fact]
    public void Build_Member_TagsNameHostLinkKindAndMember_DirectionOnlyOnTxRx()
    {
        var snapshot = Build(new MetricsOptions { HostLabel = "site=ams" });

        var member = snapshot.Links.Single(l => LinkName(l) == "b-prod-ams/str0").Members[1];
        Assert.Equal(
            [(MetricTags.Host, "b-prod-ams"), (MetricTags.Labels, "env=prod,site=ams"), (MetricTags.Link, "str0"), (MetricTags.Kind, "striper"), (MetricTags.Member, "eth1")],
            member.Tags.Select(t => (t.Key, (string)t.Value!)));
        Assert.Equal("tx", member.TxTags[^1].Value);
        Assert.Equal("rx", member.RxTags[^1].Value);
    }

    private static CatalogSnapshot Build(MetricsOptions options) => CatalogSnapshot.Build(options, s_now, [s_lab, s_prodAms, s_bare, s_prodFra], s_links);

    private static CatalogHostRow Host(string name, params (string Key, string Value)[] labels) =>
        new(Guid.CreateVersion7(), name, [.. labels.Select(l => KeyValuePair.Create(l.Key, l.Value))]);

    private static CatalogLinkRow Link(CatalogHostRow host, string name, int members) =>
        new(Guid.CreateVersion7(), host.Id, name, name.StartsWith("str", StringComparison.Ordinal) ? LinkKind.Striper : name.StartsWith("teql", StringComparison.Ordinal) ? LinkKind.Teql : LinkKind.Bond, LinkPhase.Applied,
            [.. Enumerable.Range(0, members).Select(i => ($"eth{i}", MemberAdminState.Active))]);

    private static string HostName(KeyValuePair<string, object?>[] tags) => (string)tags.Single(t => t.Key == MetricTags.Host).Value!;

    private static string LinkName(CatalogLink link) => HostName(link.Tags) + "/" + (string)link.Tags.Single(t => t.Key == MetricTags.Link).Value!;
}
