namespace Fleet.Web;

/// <summary>
/// The dashboard's HTML document. Pages render on the server (static SSR); Blazor's script turns link clicks and forms
/// marked <c>data-enhance</c> into enhanced page loads (the new page's HTML merged into this document, no reload), and
/// <c>js/fleet.js</c> starts the ES module of every element that names one in <c>data-fleet-module</c> (live charts,
/// copy buttons) and stops it when the element leaves.
/// </summary>
public partial class App
{
    /// <summary>Where the dashboard's static files are served from (a Razor class library's static web assets).</summary>
    public const string ContentRoot = "_content/Fleet.Web/";

    private const string StylesheetPath = ContentRoot + "css/fleet.css";
    private const string ChartStylesheetPath = ContentRoot + "lib/uplot/uPlot.min.css";
    private const string ScopedStylesheetPath = ContentRoot + "Fleet.Web.bundle.scp.css";
    private const string IconPath = ContentRoot + "img/fleet.svg";
    private const string ScriptPath = ContentRoot + "js/fleet.js";
    private const string BlazorScriptPath = "_framework/blazor.web.js";
}
