using Fleet.Contracts.Rest;
using Fleet.Web.Account;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Doctor;

/// <summary>
/// The Doctor panel's daily speed test of a striper link: the time it runs, or that none is set, and why the last
/// scheduled start was refused; an operator sets, changes or clears it (<see cref="ILinkSpeedTestSchedule"/>, the command
/// REST runs).
/// </summary>
public partial class SpeedTestSchedulePanel
{
    /// <summary>The form's name (Blazor dispatches a post to the form of that name).</summary>
    public const string FormName = "speed-test-schedule";

    /// <summary>The submit button's value that sets the schedule.</summary>
    public const string SetCommand = "set";

    /// <summary>The submit button's value that clears it.</summary>
    public const string ClearCommand = "clear";

    /// <summary>The link (a striper link).</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    /// <summary>The time posted (<c>HH:mm</c>, UTC, as a time input sends it).</summary>
    [SupplyParameterFromForm(FormName = FormName)]
    public string? DailyAtUtc { get; set; }

    /// <summary><see cref="SetCommand"/> or <see cref="ClearCommand"/>: the button pressed.</summary>
    [SupplyParameterFromForm(FormName = FormName)]
    public string? ScheduleCommand { get; set; }

    [Inject]
    private ILinkSpeedTestSchedule Schedules { get; set; } = default!;

    private SpeedTestScheduleDto? Schedule { get; set; }

    private string? Error { get; set; }

    private bool CanOperate => HttpContext is { } context && DashboardUser.CanOperate(context.User);

    private CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Schedule = await Schedules.GetAsync(LinkId, Aborted);

    private async Task ChangeAsync()
    {
        if (!CanOperate)
        {
            // The form is not rendered for a viewer and DashboardPostGuard refused the post already; the command checks
            // the role a third time.
            if (HttpContext is { Response.HasStarted: false } context)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            return;
        }

        var change = ScheduleCommand == ClearCommand
            ? await Schedules.ClearAsync(LinkId, Aborted)
            : await Schedules.SetAsync(LinkId, DailyAtUtc, Schedule?.MaxMbitPerPath, Aborted);
        Error = change.Error;
        Schedule = change.Error is null ? change.Schedule : await Schedules.GetAsync(LinkId, Aborted);
    }
}
