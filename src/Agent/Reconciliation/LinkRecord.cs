using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Reconciliation;

/// <summary>A spec at a generation.</summary>
/// <param name="Generation">The Api's generation number.</param>
/// <param name="Spec">The spec.</param>
public sealed record GenerationSpec(long Generation, LinkSpec Spec);

/// <summary>
/// A generation being applied, or applied and waiting for the Api's confirmation until <paramref name="Deadline"/>.
/// Saved before the kernel is touched (the intent), so an agent that dies inside the apply rolls it back at its next start.
/// </summary>
/// <param name="Generation">The generation.</param>
/// <param name="Spec">The spec now in force on the host (or, <see cref="InProgress"/>, partly).</param>
/// <param name="Deadline">When the agent rolls back if no confirmation came.</param>
public sealed record PendingChange(long Generation, LinkSpec Spec, DateTimeOffset Deadline)
{
    /// <summary>True from before the backend is called until it returned: a pending change found so at start was cut short.</summary>
    public bool InProgress { get; init; }

    /// <summary>The host state before the first unconfirmed change (what a rollback restores beside the confirmed spec).</summary>
    public Backends.HostSnapshot? Snapshot { get; init; }
}

/// <summary>
/// The link's removal, made and waiting for the Api's confirmation until <paramref name="Deadline"/> (issue 10: a
/// removal that cuts the host off from the control plane is undone like an apply). Saved before the kernel is touched.
/// </summary>
/// <param name="Generation">The generation in force when the Api deleted the link (what the confirmation names).</param>
/// <param name="Spec">The spec that was in force and was removed: what a rollback puts back.</param>
/// <param name="Deadline">When the agent puts the link back if no confirmation came.</param>
public sealed record PendingRemoval(long Generation, LinkSpec Spec, DateTimeOffset Deadline)
{
    /// <summary>True from before the backend is called until it returned: a removal found so at start was cut short.</summary>
    public bool InProgress { get; init; }

    /// <summary>The host state before the removal (what a rollback restores beside the spec).</summary>
    public Backends.HostSnapshot? Snapshot { get; init; }
}

/// <summary>
/// A device that existed before Fleet and that the link took over because its spec said <c>adopt</c> (issue 10).
/// Fleet releases it, never deletes it. A link without one created its device (or has none: MPTCP), and so did every
/// link recorded by agents from before this record: the device stays Fleet's across restarts.
/// </summary>
/// <param name="Name">The device.</param>
/// <param name="Before">The device and the spec's members as they were before the adoption, with the routes through them.</param>
public sealed record AdoptedDevice(string Name, Backends.HostSnapshot Before);

/// <summary>
/// What the agent knows about one link; persisted in <c>links.json</c> so a restarted agent restores the host, resumes
/// a pending commit-confirm, and does not retry a generation that already failed.
/// </summary>
public sealed record LinkRecord
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>The last confirmed generation (the one to return to on rollback); null when none ever was.</summary>
    public GenerationSpec? Applied { get; init; }

    /// <summary>A generation applied and awaiting confirmation.</summary>
    public PendingChange? Pending { get; init; }

    /// <summary>The generation last worked on.</summary>
    public long TargetGeneration { get; init; }

    /// <summary>The phase reported for <see cref="TargetGeneration"/>.</summary>
    public LinkPhase Phase { get; init; } = LinkPhase.Pending;

    /// <summary>Why the last generation failed, rolled back, or why the host drifted.</summary>
    public string? Error { get; init; }

    /// <summary>How the host differs from the spec in force, while it does (reported once per change).</summary>
    public string? Drift { get; init; }

    /// <summary>The devices the link adopted rather than created (none: Fleet created its device, or it has none).</summary>
    public IReadOnlyList<AdoptedDevice> Adopted { get; init; } = [];

    /// <summary>The link's removal, awaiting confirmation; the link is gone from the host meanwhile.</summary>
    public PendingRemoval? Removal { get; init; }

    /// <summary>The spec in force on the host: none while a removal awaits confirmation, else the pending one if any, else the confirmed one.</summary>
    public LinkSpec? InForce => Removal is not null ? null : Pending?.Spec ?? Applied?.Spec;

    /// <summary>This record with only the adopted devices among <paramref name="names"/> (the specs still in force or to return to).</summary>
    public LinkRecord KeepingAdopted(params string?[] names) => this with { Adopted = [.. Adopted.Where(a => names.Contains(a.Name))] };

    /// <summary>The link's state as the Api hears it, stamped <paramref name="now"/>.</summary>
    public ObservedLinkState ToState(DateTimeOffset now) => new()
    {
        LinkId = LinkId,
        ObservedGeneration = Applied?.Generation ?? 0,
        TargetGeneration = Removal?.Generation ?? TargetGeneration,
        Phase = Removal is null ? Phase : LinkPhase.Applying,
        Error = Removal is null ? Error : null,
        AwaitingConfirm = Removal is { } removal ? !removal.InProgress : Pending is { InProgress: false },
        Removing = Removal is not null,
        Time = now,
    };
}
