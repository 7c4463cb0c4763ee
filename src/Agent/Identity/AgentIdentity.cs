namespace Fleet.Agent.Identity;

/// <summary>
/// Who this agent is to the control plane: written once by <c>fleet-agent enroll</c> to <c>identity.json</c> (mode 0600).
/// </summary>
/// <param name="ServerUrl">The Api's base URL (<c>https://fleet.example.net</c>).</param>
/// <param name="HostId">The host this credential belongs to.</param>
/// <param name="Credential">The per-host secret (<c>fleet_a_…</c>), sent as a bearer token. Never logged.</param>
/// <param name="EnrolledAt">When the agent enrolled.</param>
/// <param name="Name">The display name asked for at enrollment, if any (optional last: absent values are omitted from JSON).</param>
public sealed record AgentIdentity(Uri ServerUrl, Guid HostId, string Credential, DateTimeOffset EnrolledAt, string? Name = null)
{
    /// <summary>The credential's non-secret prefix, for logs and status output.</summary>
    public string CredentialHint => Credential.Length > 12 ? Credential[..12] + "…" : "…";

    /// <summary>Keeps the credential out of logs and exception messages.</summary>
    public override string ToString() => $"AgentIdentity {{ ServerUrl = {ServerUrl}, HostId = {HostId}, Credential = {CredentialHint} }}";
}
