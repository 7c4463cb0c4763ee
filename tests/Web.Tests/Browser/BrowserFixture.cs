using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, headless, shared by the browser tests of a collection. Playwright never
/// downloads a browser here (docs/conventions.md, "Build environment"): it launches <see cref="ChromiumPath"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The browser; launched lazily so a machine without Chromium fails (CI) or skips (elsewhere) per test.</summary>
    public async Task<IBrowser> GetBrowserAsync()
    {
        Privileged.RequireTool(ChromiumPath, "chromium");
        if (_browser is not null)
        {
            return _browser;
        }

        _playwright ??= await Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(15_000);
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Chromium's sandbox needs user namespaces it cannot have as root in CI containers.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return _browser;
    }

    /// <summary>A new, isolated browser context (own cookies) at a laptop-sized viewport in a fixed time zone.</summary>
    public async Task<IBrowserContext> NewContextAsync(string timeZone = "Europe/Berlin", int width = 1440, int height = 1000)
    {
        var browser = await GetBrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timeZone,
            Locale = "en-GB",
        });

        // CI runs every test project at once on two cores: give page loads room; assertions keep their own limits.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Where browser tests save their screenshots: <c>artifacts/screenshots/</c> at the repository root.</summary>
internal static class Screenshots
{
    /// <summary>Set to a directory (e.g. <c>docs/images</c>) to also write the README's screenshots there.</summary>
    public const string DocsDirectoryVariable = "FLEET_DOCS_SCREENSHOTS";

    public static async Task<string> SaveAsync(IPage page, string name, bool fullPage = true)
    {
        var directory = Path.Combine(Formatting.UnitsScriptTests.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }

    /// <summary>Whether this run also writes the README's screenshots.</summary>
    public static bool ForDocs => Environment.GetEnvironmentVariable(DocsDirectoryVariable) is { Length: > 0 };

    /// <summary>Saves a README screenshot into <see cref="DocsDirectoryVariable"/> when set.</summary>
    public static async Task SaveForDocsAsync(IPage page, string name, bool fullPage = false)
    {
        if (Environment.GetEnvironmentVariable(DocsDirectoryVariable) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = fullPage });
        }
    }
}
