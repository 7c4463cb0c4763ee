using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>Every visible form control's accessible name from a label, aria-label or aria-labelledby; empty when all have one.</summary>
    private const string UnlabelledControlsScript = """
        () => [...document.querySelectorAll("input, select, textarea")]
            .filter(e => e.type !== "hidden" && e.getClientRects().length > 0)
            .filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim().length > 0))
                && !(e.getAttribute("aria-label") || "").trim()
                && !(e.getAttribute("aria-labelledby") || "").split(" ").some(id => id && document.getElementById(id)?.textContent.trim()))
            .map(e => e.outerHTML.substring(0, 120))
        """;

    /// <summary>Text and background colour of each health badge kind, with the WCAG contrast ratio between them.</summary>
    private const string HealthBadgesScript = """
        () => {
          const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
          const luminance = rgb => { const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).map(Number); return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b); };
          const result = {};
          for (const badge of document.querySelectorAll(".health[data-health]")) {
            const style = getComputedStyle(badge);
            const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
            result[badge.dataset.health] = { text: badge.textContent.trim(), color: style.color, contrast: (a + 0.05) / (b + 0.05) };
          }
          return JSON.stringify(result);
        }
        """;

    /// <summary>The outermost elements sticking out of the window on the right (for a failure message).</summary>
    private const string WidestElementsScript = """
        () => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => ["absolute", "fixed"].includes(getComputedStyle(e).position) || !e.parentElement.closest(".table-wrap"))
            .filter(e => !(e.parentElement && e.parentElement.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
            .slice(0, 5)
            .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} (${Math.round(e.getBoundingClientRect().width)} px)`)
            .join(", ")
        """;

    [Fact]
    public async Task Accessibility_LabelsKeyboardAndHealthInColourAndWords()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // Sign in with the keyboard alone.
        await page.GotoAsync(Url("/account/login"));
        await Assertions.Expect(page.GetByLabel("User name")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("admin");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(DashboardFixture.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(Url("/"));

        // The first Tab reaches "Skip to content", which moves focus to the page's main content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        // Health reads in words and shape as well as colour; each colour has a 4.5:1 contrast on its background. The
        // overview shows a health's badge only where something has it (a zero total is neutral), so every health's badge
        // is taken from the link page, as the server rendered it for the live header (its template), into the page.
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[0].Id;
        await page.GotoAsync(Url($"/links/{linkId}"));
        await page.EvaluateAsync("() => document.querySelector('main').append(document.querySelector('template[data-health-looks]').content.cloneNode(true))");
        var badges = JsonSerializer.Deserialize<Dictionary<string, Badge>>(await page.EvaluateAsync<string>(HealthBadgesScript))!;
        Assert.Equal(["bad", "ok", "warn"], badges.Keys.Where(k => k != "unknown").Order(StringComparer.Ordinal));
        Assert.Equal("● Healthy", Spaced(badges["ok"].Text));
        Assert.Equal("▲ Degraded", Spaced(badges["warn"].Text));
        Assert.Equal("■ Down", Spaced(badges["bad"].Text));
        Assert.Equal(3, new[] { badges["ok"].Color, badges["warn"].Color, badges["bad"].Color }.Distinct(StringComparer.Ordinal).Count());
        Assert.All(badges, b => Assert.True(b.Value.Contrast >= 4.5, $"{b.Key}: contrast {b.Value.Contrast:0.00}:1 ({b.Value.Color})"));

        // Every form control on every page has a label.
        var hostId = await HostIdAsync(linkId);
        foreach (var path in new[] { "/", $"/hosts/{hostId}", $"/links/{linkId}", $"/links/{linkId}/policy", "/events", "/alerts", "/settings", "/account/login" })
        {
            await page.GotoAsync(Url(path));
            var unlabelled = await page.EvaluateAsync<string[]>(UnlabelledControlsScript);
            Assert.True(unlabelled.Length == 0, $"{path}: controls without a label: {string.Join(", ", unlabelled)}");
        }

        await Screenshots.SaveAsync(page, "accessibility-login");
    }

    [Theory]
    [InlineData(1024, 768)]
    [InlineData(3840, 2160)]
    public async Task Layout_LaptopToWallScreen_PagesFitTheWidth(int width, int height)
    {
        await using var context = await fixture.Browser.NewContextAsync(width: width, height: height);
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[0].Id;

        foreach (var path in new[] { "/", $"/links/{linkId}", $"/links/{linkId}/policy", "/alerts" })
        {
            await page.GotoAsync(Url(path));
            await Assertions.Expect(page.Locator("main h1").First).ToBeVisibleAsync();

            // Wide tables scroll inside their own box; the page itself never scrolls sideways.
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} at {width}×{height}: the page is {overflow} px wider than the window; widest: {await page.EvaluateAsync<string>(WidestElementsScript)}");
        }

        // On a wall screen the text grows with the viewport (clamp()), on a laptop it stays at least 14 px.
        var fontSize = await page.EvaluateAsync<double>("() => parseFloat(getComputedStyle(document.documentElement).fontSize)");
        Assert.True(width > 2000 ? fontSize > 16 : fontSize >= 14, $"root font size {fontSize} px at {width} px");
        await Screenshots.SaveAsync(page, $"layout-{width}", fullPage: false);
    }

    [Fact]
    public async Task TimeZone_TimesShownInTheBrowsersZone_FromTheFirstPageOn()
    {
        foreach (var zoneName in new[] { "Asia/Tokyo", "America/Los_Angeles" })
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            await using var context = await fixture.Browser.NewContextAsync(timeZone: zoneName);
            var page = await context.NewPageAsync();
            await LoginAsync(page, "admin", DashboardFixture.AdminPassword);

            // The first page in this zone: the server renders UTC, the script rewrites the times in place.
            await context.ClearCookiesAsync(new() { Name = "fleet_tz" });
            await page.GotoAsync(Url("/events"));
            await Assertions.Expect(page.Locator("[data-fleet-time-zone]")).ToHaveTextAsync(zoneName);
            await AssertTimesInAsync(page, zone);

            // From then on the server renders them in the zone itself (scripts do not run for this request).
            var html = await (await page.APIRequest.GetAsync(Url("/events"))).TextAsync();
            Assert.Matches($"data-fleet-time-zone[^>]*>{zoneName}</span>", html);
            var times = Regex.Matches(html, "<time datetime=\"([^\"]+)\"[^>]*data-fleet-time=\"full\">([^<]+)</time>");
            Assert.NotEmpty(times);
            foreach (Match time in times)
            {
                Assert.Equal(Expected(time.Groups[1].Value, zone), time.Groups[2].Value);
            }

            await Screenshots.SaveAsync(page, "events-" + zoneName.Replace('/', '-').ToLowerInvariant(), fullPage: false);
        }
    }

    /// <summary>
    /// The first ten times read with their instants in one snapshot: the events page is live, and a new event at the
    /// top shifts every row between reading a row's instant and its text (a run failed on exactly that). Polled until
    /// the script has rewritten them, up to 15 s; the last snapshot is what the assertion shows.
    /// </summary>
    private static async Task AssertTimesInAsync(IPage page, TimeZoneInfo zone)
    {
        var times = page.Locator("time[data-fleet-time=full]");
        await Assertions.Expect(times.First).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string[][] shown;
        do
        {
            shown = await times.EvaluateAllAsync<string[][]>("els => els.slice(0, 10).map(e => [e.getAttribute('datetime'), e.textContent])");
            if (shown.All(t => Expected(t[0], zone) == t[1]))
            {
                break;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        Assert.All(shown, t => Assert.Equal(Expected(t[0], zone), t[1]));
    }

    private static string Expected(string isoUtc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(isoUtc, CultureInfo.InvariantCulture), zone)
            .ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Spaced(string text) => text.Length > 1 && text[1] != ' ' ? text[..1] + " " + text[1..] : text;

    private async Task<Guid> HostIdAsync(Guid linkId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Links.Where(l => l.Id == linkId).Select(l => l.HostId).SingleAsync();
    }

    private sealed record Badge(
        [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text,
        [property: System.Text.Json.Serialization.JsonPropertyName("color")] string Color,
        [property: System.Text.Json.Serialization.JsonPropertyName("contrast")] double Contrast);
}
