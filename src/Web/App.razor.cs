namespace Fleet.Web;

/// <summary>
/// The dashboard's HTML document. Pages render on the server (static SSR); <c>js/fleet.js</c> then starts the ES
/// module of every element that names one in <c>data-fleet-module</c> (live charts, copy buttons, time zones).
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
}
