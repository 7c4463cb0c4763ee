using Fleet.Contracts.Doctor;
using Fleet.Web.Account;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Doctor;

/// <summary>
/// The link page's Doctor panel: the link's verdict and its findings, most severe first, each with what was observed,
/// why it limits aggregation and the change to make (docs/doctor.md).
/// </summary>
public partial class DoctorPanel
{
    /// <summary>The window the panel diagnoses: the REST default.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>The link.</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [Inject]
    private ILinkDiagnosisQuery Query { get; set; } = default!;

    private Diagnosis? Diagnosis { get; set; }

    private string? VerdictName => Diagnosis?.Verdict.ToString();

    /// <summary>Operators get a link from a finding with a spec change to the policy editor, opened on that change.</summary>
    private bool CanOperate => HttpContext?.User is { } user && DashboardUser.CanOperate(user);

    private (string Modifier, string Icon, string Text) VerdictLook => Diagnosis!.Verdict switch
    {
        DoctorVerdict.Healthy => ("ok", "●", "Healthy"),
        DoctorVerdict.NoDemand => ("unknown", "○", "No demand"),
        DoctorVerdict.Limited => ("warn", "▲", "Limited"),
        DoctorVerdict.Impaired => ("bad", "■", "Impaired"),
        DoctorVerdict.NoData => ("unknown", "?", "No data"),
        _ => throw new InvalidOperationException($"unknown verdict {Diagnosis.Verdict}"),
    };

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync() =>
        Diagnosis = await Query.DiagnoseAsync(LinkId, Window, HttpContext?.RequestAborted ?? CancellationToken.None);

    private static (string Modifier, string Icon, string Text) SeverityLook(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => ("bad", "■", "Critical"),
        FindingSeverity.Warning => ("warn", "▲", "Warning"),
        FindingSeverity.Info => ("unknown", "i", "Info"),
        _ => throw new InvalidOperationException($"unknown severity {severity}"),
    };
}
