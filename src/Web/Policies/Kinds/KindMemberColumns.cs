using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies.Kinds;

/// <summary>
/// Base of a kind's own columns in the policy editor's member table: the header cells when <see cref="Member"/> is
/// null, else one member's cells. Member fields post as <c>Form.Members[i].Name</c> and report errors at
/// <see cref="PolicyPaths.MemberField"/> with the names of <see cref="Contracts.Links.Kinds.MemberFields"/>.
/// </summary>
public abstract class KindMemberColumns : ComponentBase
{
    /// <summary>Where the fields' errors come from (the editor page).</summary>
    [Parameter, EditorRequired]
    public IFieldErrorSource Page { get; set; } = default!;

    /// <summary>The member's position.</summary>
    [Parameter]
    public int Index { get; set; }

    /// <summary>The member's row; null for the header.</summary>
    [Parameter]
    public MemberForm? Member { get; set; }

    /// <summary>Every member's row, for what a member's cell shows about the whole (a weight's share).</summary>
    [Parameter]
    public IReadOnlyList<MemberForm> Members { get; set; } = [];
}
