namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The paths of MPTCP's limits and services (<see cref="MptcpOptions"/>), as <see cref="Validation.LinkSpecValidator"/> reports errors at them and
/// as the policy editor names its fields: one place for both.
/// </summary>
public static class MptcpFields
{
    /// <summary>The options object itself.</summary>
    public const string Options = "mptcp";

    /// <summary><c>mptcp.subflowsLimit</c>.</summary>
    public const string SubflowsLimit = "mptcp.subflowsLimit";

    /// <summary><c>mptcp.addAddrAcceptedLimit</c>.</summary>
    public const string AddAddrAcceptedLimit = "mptcp.addAddrAcceptedLimit";

    /// <summary><c>mptcp.mptcpizeServices</c>.</summary>
    public const string MptcpizeServices = "mptcp.mptcpizeServices";
}
