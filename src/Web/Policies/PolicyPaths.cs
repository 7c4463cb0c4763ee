namespace Fleet.Web.Policies;

/// <summary>The validator's JSON paths the policy editor shows errors at.</summary>
public static class PolicyPaths
{
    /// <summary>Errors about the member list as a whole.</summary>
    public const string Members = "members";

    /// <summary>The change note's error path: the revision's reason, as the link commands name it.</summary>
    public const string Reason = "reason";

    /// <summary>Errors about one member as a whole.</summary>
    public static string Member(int index) => $"members[{index}]";

    /// <summary>One field of one member.</summary>
    public static string MemberField(int index, string field) => $"members[{index}].{field}";
}
