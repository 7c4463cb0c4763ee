using Bunit;
using Fleet.Contracts.Agents;
using Fleet.Web.Events;
using Fleet.Web.Formatting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Events;

/// <summary>A member's flaps fold into one event line; other events, other members and sparse changes stay as they are.</summary>
public sealed class FlapCollapseTests : BunitContext
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid s_link = Guid.Parse("7d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b");

    public FlapCollapseTests()
    {
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
    }

    private static EventRow Row(double minutesAgo, string kind, string? member = "eth2", EventSeverity severity = EventSeverity.Info, Guid? link = null) =>
        new(Guid.CreateVersion7(), s_now.AddSeconds(-Math.Round(minutesAgo * 60)), severity, kind, Guid.Empty, "host-1", link ?? s_link, "str0", member, $"{kind} {member}");

    /// <summary>eth2 down and up 7 times, 20 s apart (newest first), with another event in the middle.</summary>
    private static List<EventRow> Flapping()
    {
        var events = new List<EventRow>();
        for (var i = 0; i < 14; i++)
        {
            events.Add(Row(i / 3.0, i % 2 == 0 ? "member_up" : "member_down", severity: i % 2 == 0 ? EventSeverity.Info : EventSeverity.Warning));
            if (i == 6)
            {
                events.Add(Row(2.1, "policy_changed", member: null));
            }
        }

        return events;
    }

    [Fact]
    public void Lines_SevenFlapsAndAnotherEvent_OneFoldedLineThenTheOtherEvent()
    {
        var lines = FlapCollapse.Lines(Flapping());

        Assert.Equal(2, lines.Count);
        var flap = lines[0];
        Assert.True(flap.IsFlap);
        Assert.Equal((7, 14, EventSeverity.Warning), (flap.Flaps, flap.Folded.Count, flap.Severity));
        Assert.Equal(s_now, flap.Newest.Time);
        Assert.Equal(TimeSpan.FromSeconds(260), flap.Span);
        Assert.Equal("policy_changed", lines[1].Newest.Kind);
        Assert.False(lines[1].IsFlap);
    }

    [Fact]
    public void Lines_ThreeChangesOnly_NotFolded()
    {
        var lines = FlapCollapse.Lines([Row(0, "member_up"), Row(1, "member_down"), Row(2, "member_up")]);

        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.False(l.IsFlap));
    }

    [Fact]
    public void Lines_ChangesFurtherApartThanTheWindow_TwoGroups()
    {
        // Four changes within minutes, then four more half an hour before: two folded lines.
        var lines = FlapCollapse.Lines(
        [
            Row(0, "member_up"), Row(1, "member_down"), Row(2, "member_up"), Row(3, "member_down"),
            Row(30, "member_up"), Row(31, "member_down"), Row(32, "member_up"), Row(33, "member_down"),
        ]);

        Assert.Equal([2, 2], lines.Select(l => l.Flaps));
        Assert.All(lines, l => Assert.Equal(4, l.Folded.Count));
    }

    [Fact]
    public void Lines_TwoMembersFlappingAtOnce_OneLineEach()
    {
        var other = Guid.CreateVersion7();
        var events = new List<EventRow>();
        for (var i = 0; i < 8; i++)
        {
            events.Add(Row(i * 0.5, i % 2 == 0 ? "member_up" : "member_down"));
            events.Add(Row((i * 0.5) + 0.1, i % 2 == 0 ? "member_up" : "member_down", member: "eth2", link: other));
        }

        var lines = FlapCollapse.Lines(events);

        Assert.Equal(2, lines.Count);
        Assert.Equal([s_link, other], lines.Select(l => l.Newest.LinkId!.Value));
    }

    [Fact]
    public void EventTable_Flapping_OneRowWithTheCountAndTheFoldedChanges()
    {
        var table = Render<EventTable>(p => p.Add(x => x.Events, Flapping()));

        var rows = table.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Equal("7", rows[0].GetAttribute("data-flaps"));
        Assert.Contains("member_flapping", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("eth2 flapped 7× in 4 min (14 health changes)", rows[0].QuerySelector("details summary")!.TextContent);
        Assert.Equal(14, rows[0].QuerySelectorAll("details li").Length);
        Assert.Equal("warning", rows[0].QuerySelector(".severity")!.TextContent);
        Assert.Null(rows[1].GetAttribute("data-flaps"));
    }
}
