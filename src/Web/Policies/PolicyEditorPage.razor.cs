using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Fleet.Web.Account;
using Fleet.Web.Formatting;
using Fleet.Web.Policies.Kinds;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Policies;

/// <summary>
/// The policy editor: a kind-specific form validated by <see cref="LinkSpecValidator"/> with errors next to the
/// fields, a review step showing the diff, then the rollout followed live; the history of revisions with their diffs
/// and "revert to this" (which goes through the same review). Only operators and admins see the form, and a post
/// from anyone else is refused with 403 before anything else happens.
/// </summary>
public partial class PolicyEditorPage : IFieldErrorSource
{
    private const string RolloutModule = Links.LinkPage.RolloutModule;

    private List<ValidationError> _errors = [];

    /// <summary>The link.</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The generation just submitted, whose rollout the page follows.</summary>
    [SupplyParameterFromQuery(Name = "rollout")]
    public long? Rollout { get; set; }

    /// <summary>A doctor's finding whose suggested change the editor opens for review (docs/doctor.md).</summary>
    [SupplyParameterFromQuery(Name = "fix")]
    public string? Fix { get; set; }

    /// <summary>The member that finding is about, if one.</summary>
    [SupplyParameterFromQuery(Name = "member")]
    public string? FixMember { get; set; }

    /// <summary>The posted form.</summary>
    [SupplyParameterFromForm(FormName = "policy", Name = "Form")]
    public PolicyForm? PostedForm { get; set; }

    /// <summary>Which button posted the policy form.</summary>
    [SupplyParameterFromForm(FormName = "policy")]
    public string? Action { get; set; }

    /// <summary>The revision "revert to this" was pressed on.</summary>
    [SupplyParameterFromForm(FormName = "revert")]
    public long? RevertGeneration { get; set; }

    [Inject]
    private IPolicyQuery Query { get; set; } = default!;

    [Inject]
    private IPolicyCommands Commands { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private Doctor.ILinkDiagnosisQuery Diagnoses { get; set; } = default!;

    private PolicyDocument? Document { get; set; }

    private PolicyForm Form { get; set; } = new();

    private EditorStep Step { get; set; } = EditorStep.Edit;

    private IReadOnlyList<SpecDiff.Change> Changes { get; set; } = [];

    private List<(PolicyRevision Revision, IReadOnlyList<SpecDiff.Change> Changes)> History { get; } = [];

    private bool Refused { get; set; }

    private string? Notice { get; set; }

    private string NoticeKind { get; set; } = "ok";

    private LinkKind Kind => Document?.Spec.Kind ?? LinkKind.Bond;

    private LinkKindDescriptor Descriptor => LinkKinds.Of(Kind);

    private LinkKindEditor Editor => LinkKindEditors.Of(Kind);

    private Dictionary<string, object?> SectionParameters => new(StringComparer.Ordinal)
    {
        [nameof(KindSection.Page)] = this,
        [nameof(KindSection.Values)] = Form,
        [nameof(KindSection.Current)] = Document!.Spec,
    };

    private string KindKey => Descriptor.WireName;

    private string PhaseKey => Document is null ? "" : WireNames.Of(Document.Phase);

    private string Role => DashboardUser.RoleOf(User);

    private string HostHref => Document is null ? "/" : DashboardPaths.Host(Document.HostId);

    private string LinkHref => DashboardPaths.Link(LinkId);

    private bool HasErrors => _errors.Count > 0;


    private static IReadOnlyList<string> AdminStates { get; } = WireNames.All<MemberAdminState>();

    private const string InterfacesListId = "host-interfaces";

    private const int NoteMaxLength = 500;

    /// <summary>The review's warnings against the host's reported interfaces (<see cref="HostInterfaceWarnings"/>).</summary>
    private IReadOnlyList<string> Warnings { get; set; } = [];

    /// <summary>The revision whose rollout the steps show: the one just submitted, else the current one.</summary>
    private PolicyRevision? SubmittedRevision =>
        Document?.Revisions.FirstOrDefault(r => r.Generation == (Rollout ?? Document.Generation));

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        if (HttpContext is { } context && HttpMethods.IsPost(context.Request.Method) && !CanOperate)
        {
            // Viewers never see the form; a post from one is forged or stale. Refuse it before touching anything.
            Refused = true;
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
        }

        await LoadAsync();
        if (Document is null)
        {
            SetNotFound();
        }
        else if (Fix is { } code && CanOperate && HttpContext is { } get && HttpMethods.IsGet(get.Request.Method))
        {
            await OpenSuggestionAsync(code);
        }
    }

    /// <summary>
    /// The doctor's change for the finding <paramref name="code"/>, diagnosed now over the Doctor panel's window and
    /// applied to the spec in force, straight into the review: the operator sees the diff and applies it with
    /// commit-confirm like any change, or goes back to edit it.
    /// </summary>
    private async Task OpenSuggestionAsync(string code)
    {
        var diagnosis = await Diagnoses.DiagnoseAsync(LinkId, Doctor.DoctorPanel.Window, Aborted);
        var finding = diagnosis?.Findings.FirstOrDefault(f => f.Code == code && f.Member == FixMember && f.Edit is not null);
        if (finding is null)
        {
            Notice = $"The doctor finds no {code} to change on this link now: the form shows the current policy.";
            NoticeKind = "warn";
            return;
        }

        Form = PolicyForm.FromSpec(finding.Edit!.ApplyTo(Document!.Spec), Document.Generation);
        Form.Note = $"Doctor: {finding.Title}";
        if (BuildAndValidate() is { } spec)
        {
            Notice = $"The doctor's suggestion for \"{finding.Title}\": {finding.Suggestion} Review the change, then apply it.";
            NoticeKind = "ok";
            EnterReview(spec);
        }
    }

    private async Task LoadAsync()
    {
        Document = await Query.GetPolicyAsync(LinkId, Aborted);
        if (Document is null)
        {
            return;
        }

        Form = PolicyForm.FromSpec(Document.Spec, Document.Generation);
        History.Clear();
        var revisions = Document.Revisions;
        for (var i = 0; i < revisions.Count; i++)
        {
            var previous = i + 1 < revisions.Count ? revisions[i + 1].Spec : null;
            History.Add((revisions[i], previous is null ? [] : SpecDiff.Compute(previous, revisions[i].Spec)));
        }
    }

    private async Task OnPolicySubmitAsync()
    {
        if (Refused || Document is null || PostedForm is null)
        {
            return;
        }

        Form = PostedForm;
        var action = Action ?? "review";
        if (action == "add-member")
        {
            Form.Members.Add(new MemberForm { AdminState = WireNames.Of(MemberAdminState.Active) });
            return;
        }

        if (action.StartsWith("remove-member-", StringComparison.Ordinal)
            && int.TryParse(action.AsSpan("remove-member-".Length), out var index) && index >= 0 && index < Form.Members.Count)
        {
            Form.Members.RemoveAt(index);
            return;
        }

        if (action == "edit")
        {
            return;
        }

        var spec = BuildAndValidate();
        if (spec is null)
        {
            return;
        }

        if (action != "apply")
        {
            EnterReview(spec);
            return;
        }

        var result = await Commands.ChangeAsync(LinkId, spec, Form.ExpectedGeneration, Form.Reason, Aborted);
        switch (result)
        {
            case PolicyChangeResult.Accepted accepted:
                Navigation.NavigateTo($"{DashboardPaths.Policy(LinkId)}?rollout={accepted.Generation}");
                break;
            case PolicyChangeResult.Invalid invalid:
                _errors = invalid.Errors.ToList();
                if (_errors.All(e => e.Path == PolicyPaths.Reason))
                {
                    // Only the note is wrong: stay in the review, where the note and its error are.
                    EnterReview(spec);
                }

                break;
            case PolicyChangeResult.Conflict conflict:
                Notice = $"Someone stored generation {conflict.CurrentGeneration} while you were editing. Review your change against it and apply again.";
                NoticeKind = "warn";
                await LoadAsync();
                Form = PostedForm;
                Form.ExpectedGeneration = conflict.CurrentGeneration;
                EnterReview(spec);
                break;
            case PolicyChangeResult.Forbidden:
                Refused = true;
                SetStatus(StatusCodes.Status403Forbidden);
                break;
            case PolicyChangeResult.NotFound:
                Document = null;
                SetNotFound();
                break;
        }
    }

    private void OnRevertSubmit()
    {
        if (Refused || Document is null || RevertGeneration is not { } generation)
        {
            return;
        }

        var revision = Document.Revisions.FirstOrDefault(r => r.Generation == generation);
        if (revision is null)
        {
            Notice = $"Generation {generation} is not in this link's history.";
            NoticeKind = "error";
            return;
        }

        Form = PolicyForm.FromSpec(revision.Spec, Document.Generation);
        var spec = BuildAndValidate();
        if (spec is not null)
        {
            Notice = $"Reverting to generation {generation}: review the change.";
            NoticeKind = "ok";
            EnterReview(spec);
        }
    }

    private LinkSpec? BuildAndValidate()
    {
        var errors = new List<ValidationError>();
        var spec = Form.ToSpec(Document!.Spec, errors);

        // Fields that did not parse already have their message; the validator's would only repeat them differently.
        var unparsed = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(LinkSpecValidator.Validate(spec).Where(e => !unparsed.Contains(e.Path)));
        _errors = errors;
        return errors.Count == 0 ? spec : null;
    }

    private void EnterReview(LinkSpec spec)
    {
        Changes = SpecDiff.Compute(Document!.Spec, spec);
        Warnings = HostInterfaceWarnings.For(spec, Document.HostName, Document.HostInterfaces);
        if (Changes.Count == 0)
        {
            Notice = "Nothing to apply: the form matches the current policy.";
            NoticeKind = "ok";
            return;
        }

        Step = EditorStep.Review;
    }

    private void SetStatus(int status)
    {
        if (HttpContext is { Response.HasStarted: false } context)
        {
            context.Response.StatusCode = status;
        }
    }

    private IReadOnlyList<string> AdminStateErrors(int index) => Errors(PolicyPaths.MemberField(index, MemberFields.AdminState));

    private string? AdminStateInvalid(int index) => AdminStateErrors(index).Count > 0 ? "true" : null;

    private string AdminStateId(int index) => Id(PolicyPaths.MemberField(index, MemberFields.AdminState));

    private Dictionary<string, object?> MemberColumnParameters(MemberForm? member, int index) => new(StringComparer.Ordinal)
    {
        [nameof(KindMemberColumns.Page)] = this,
        [nameof(KindMemberColumns.Member)] = member,
        [nameof(KindMemberColumns.Index)] = index,
        [nameof(KindMemberColumns.Members)] = Form.Members,
    };

    private static string RemoveAction(int index) => $"remove-member-{index}";

    private static string InterfaceLabel(InterfaceInventory nic) => $"{nic.Kind ?? "interface"} · MTU {nic.Mtu} · {(nic.Up ? "up" : "down")}";

    private static string OutcomeKey(PolicyOutcome outcome) => WireNames.Of(outcome);

    private static string OutcomeText(PolicyOutcome outcome) => RolloutSteps.RevisionOutcomeText(outcome);

    private static string RemoveLabel(MemberForm member) => $"Remove member {member.Interface}";

    /// <summary>The cap's fields under <see cref="MemberFields.Cap"/>, each with its own input.</summary>
    private static string CapBytesField => MemberFields.Cap + ".bytes";

    private static string CapDayField => MemberFields.Cap + ".cycleStartDay";

}

/// <summary>Where the policy editor stands.</summary>
public enum EditorStep
{
    /// <summary>Editing the form.</summary>
    Edit,

    /// <summary>Reviewing the diff before applying.</summary>
    Review,
}
