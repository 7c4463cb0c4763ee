using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Web.Policies;

/// <summary>
/// Where the policy editor shows each validation error: next to the field its path names (or below, for a field with
/// parts), and every error no field shows in the list above the form, so none is lost.
/// </summary>
public partial class PolicyEditorPage
{
    private IReadOnlyList<ValidationError> OtherErrors => _errors.Where(e => !IsShownNextToField(e.Path)).ToList();

    /// <inheritdoc />
    public IReadOnlyList<string> Errors(string path) =>
        _errors.Where(e => e.Path == path).Select(e => e.Message).ToList();

    /// <inheritdoc />
    public IReadOnlyList<string> ErrorsBelow(string path) =>
        _errors.Where(e => IsAtOrBelow(e.Path, path)).Select(e => e.Message).ToList();

    /// <inheritdoc />
    public string Id(string path) =>
        "f-" + new string(path.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());

    private static bool IsAtOrBelow(string errorPath, string fieldPath) =>
        errorPath == fieldPath
        || (errorPath.Length > fieldPath.Length && errorPath.StartsWith(fieldPath, StringComparison.Ordinal)
            && errorPath[fieldPath.Length] is '.' or '[');

    private bool IsShownNextToField(string path)
    {
        if (path == PolicyPaths.Members)
        {
            return true;
        }

        for (var i = 0; i < Form.Members.Count; i++)
        {
            if (path == PolicyPaths.Member(i))
            {
                return true;
            }

            foreach (var field in MemberFields.Common.Concat(Descriptor.MemberFieldNames))
            {
                if (IsAtOrBelow(path, PolicyPaths.MemberField(i, field)))
                {
                    return true;
                }
            }
        }

        return path == PolicyPaths.Reason || LinkFields.Concat(Editor.EditedFields).Any(field => IsAtOrBelow(path, field));
    }

    /// <summary>The link's own fields the form shows: a device's addressing only for kinds that have a device.</summary>
    private IEnumerable<string> LinkFields => Descriptor.HasDevice
        ? ["addresses", "routes", "mtu", "confirmTimeoutSeconds"]
        : ["confirmTimeoutSeconds"];
}
