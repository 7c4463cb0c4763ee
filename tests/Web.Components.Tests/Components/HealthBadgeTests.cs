using Bunit;
using Fleet.Contracts.Links;

namespace Fleet.Web.Components.Tests.Components;

/// <summary>
/// What the health badge shows for every link and member health: a colour modifier, a shape and a word, so health
/// reads without colour (WCAG 1.4.1).
/// </summary>
public sealed class HealthBadgeTests : BunitContext
{
    // Every value of each enum, with what it must look like; the completeness tests below fail when a value is added
    // to the enum without a row here.
    private static readonly Dictionary<LinkHealth, (string Modifier, string Icon, string Text)> s_link = new()
    {
        [LinkHealth.Unknown] = ("unknown", "?", "Unknown"),
        [LinkHealth.Healthy] = ("ok", "●", "Healthy"),
        [LinkHealth.Degraded] = ("warn", "▲", "Degraded"),
        [LinkHealth.Down] = ("bad", "■", "Down"),
    };

    private static readonly Dictionary<MemberHealth, (string Modifier, string Icon, string Text)> s_member = new()
    {
        [MemberHealth.Unknown] = ("unknown", "?", "Unknown"),
        [MemberHealth.Up] = ("ok", "●", "Up"),
        [MemberHealth.Degraded] = ("warn", "▲", "Degraded"),
        [MemberHealth.Down] = ("bad", "■", "Down"),
    };

    public static TheoryData<LinkHealth> LinkHealths() => new(Enum.GetValues<LinkHealth>());

    public static TheoryData<MemberHealth> MemberHealths() => new(Enum.GetValues<MemberHealth>());

    [Fact]
    public void ExpectedLooks_CoverEveryHealthValue()
    {
        Assert.Equal(Enum.GetValues<LinkHealth>().Order(), s_link.Keys.Order());
        Assert.Equal(Enum.GetValues<MemberHealth>().Order(), s_member.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(LinkHealths))]
    public void Render_LinkHealth_ShowsModifierShapeAndWord(LinkHealth health)
    {
        var badge = Render<HealthBadge>(p => p.Add(b => b.Link, health)).Find("span.health");

        AssertLook(badge, s_link[health]);
    }

    [Theory]
    [MemberData(nameof(MemberHealths))]
    public void Render_MemberHealth_ShowsModifierShapeAndWord(MemberHealth health)
    {
        var badge = Render<HealthBadge>(p => p.Add(b => b.Member, health)).Find("span.health");

        AssertLook(badge, s_member[health]);
    }

    [Fact]
    public void Render_DistinctHealths_NeverShareShapeOrWordWithinAKind()
    {
        // Without colour, the shape and the word are all a reader has: two states may not look alike.
        Assert.Equal(s_link.Count, s_link.Values.Select(l => l.Icon).Distinct().Count());
        Assert.Equal(s_link.Count, s_link.Values.Select(l => l.Text).Distinct().Count());
        Assert.Equal(s_member.Count, s_member.Values.Select(l => l.Icon).Distinct().Count());
        Assert.Equal(s_member.Count, s_member.Values.Select(l => l.Text).Distinct().Count());
    }

    [Fact]
    public void Render_LinkAndMemberGiven_ShowsTheLinkHealth()
    {
        var badge = Render<HealthBadge>(p => p.Add(b => b.Link, LinkHealth.Down).Add(b => b.Member, MemberHealth.Up)).Find("span.health");

        AssertLook(badge, s_link[LinkHealth.Down]);
    }

    [Fact]
    public void Render_NoHealth_ShowsUnknown()
    {
        var badge = Render<HealthBadge>().Find("span.health");

        AssertLook(badge, s_member[MemberHealth.Unknown]);
    }

    [Fact]
    public void Render_Label_ReplacesTheWordButKeepsColourAndShape()
    {
        var badge = Render<HealthBadge>(p => p.Add(b => b.Link, LinkHealth.Down).Add(b => b.Label, "Offline").Add(b => b.Title, "no agent for 5 min"))
            .Find("span.health");

        AssertLook(badge, ("bad", "■", "Offline"));
        Assert.Equal("no agent for 5 min", badge.GetAttribute("title"));
    }

    [Fact]
    public void LookOf_ForEveryHealth_MatchesTheComponent()
    {
        // The overview writes badges inline from LookOf (one row per link); it must read like the component.
        foreach (var health in Enum.GetValues<LinkHealth>())
        {
            Assert.Equal(s_link[health], HealthBadge.LookOf(health, null));
        }

        foreach (var health in Enum.GetValues<MemberHealth>())
        {
            Assert.Equal(s_member[health], HealthBadge.LookOf(null, health));
        }
    }

    private static void AssertLook(AngleSharp.Dom.IElement badge, (string Modifier, string Icon, string Text) expected)
    {
        Assert.Contains($"health--{expected.Modifier}", badge.ClassList);
        Assert.Equal(expected.Modifier, badge.GetAttribute("data-health"));
        var icon = badge.QuerySelector(".health__icon")!;
        Assert.Equal(expected.Icon, icon.TextContent);
        Assert.Equal("true", icon.GetAttribute("aria-hidden"));
        Assert.Equal(expected.Icon + expected.Text, badge.TextContent);
    }
}
