using Fleet.Contracts.Rest;
using Fleet.Web.Account;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Doctor;

/// <summary>
/// The Doctor panel's path speed test of a striper link: the latest test (pending, or per member its capacity, round
/// trip idle and loaded, and loss, and when it ran) and, for an operator, the button that starts one
/// (<see cref="ILinkSpeedTests"/>, the command REST runs). Its capacities feed the diagnosis above it.
/// </summary>
public partial class SpeedTestPanel
{
    /// <summary>The form's name (Blazor dispatches a post to the form of that name).</summary>
    public const string FormName = "speed-test";

    /// <summary>
    /// The script that follows a pending test until it completes, fails or times out, then shows the Doctor panel the
    /// server renders for it (the page is static: without it the operator reloads).
    /// </summary>
    public const string PollModule = App.ContentRoot + "Doctor/SpeedTestPanel.razor.js";

    /// <summary>The link (a striper link).</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [Inject]
    private ILinkSpeedTests SpeedTests { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private SpeedTestDto? Latest { get; set; }

    private string? Refusal { get; set; }

    private bool CanOperate => HttpContext is { } context && DashboardUser.CanOperate(context.User);

    private bool IsPending => Latest?.State == SpeedTestState.Pending;

    /// <summary>Whether the poll module follows the test: it or, for a pair's end, its other direction is pending.</summary>
    private bool IsFollowing => IsPending || Latest?.Peer?.State == SpeedTestState.Pending;

    private string? PeerStateKey => Latest?.Peer is { } peer ? WireNames.Of(peer.State) : null;

    private string StateKey => Latest is null ? "none" : WireNames.Of(Latest.State);

    private CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    private string StateText => Latest!.State switch
    {
        SpeedTestState.Completed => "Measured",
        SpeedTestState.Failed => "Could not run",
        SpeedTestState.TimedOut => "Timed out",
        SpeedTestState.Pending => "Running",
        _ => throw new InvalidOperationException($"unknown state {Latest.State}"),
    };

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Latest ??= await SpeedTests.LatestAsync(LinkId, Aborted);

    /// <summary>The other direction of a pair's test, in words (its table follows when it has a result).</summary>
    private static string PeerText(SpeedTestPeerDto peer) => peer.State switch
    {
        SpeedTestState.Pending => "running (the other end's agent measures it now).",
        SpeedTestState.Completed => "measured.",
        SpeedTestState.Failed or SpeedTestState.TimedOut => $"not measured: {peer.Error}",
        _ => throw new InvalidOperationException($"unknown state {peer.State}"),
    };

    private async Task StartAsync()
    {
        if (!CanOperate)
        {
            // The button is not rendered for a viewer and DashboardPostGuard refused the post already; the command checks
            // the role a third time.
            if (HttpContext is { Response.HasStarted: false } context)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            return;
        }

        var started = await SpeedTests.StartAsync(LinkId, Aborted);
        Refusal = started.Refusal;
        Latest = started.Test ?? await SpeedTests.LatestAsync(LinkId, Aborted);
    }
}
