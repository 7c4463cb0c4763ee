namespace Fleet.Web.Policies;

/// <summary>Where a form's field components look up their errors and ids.</summary>
public interface IFieldErrorSource
{
    /// <summary>Messages for the field at a JSON path and the paths below it (<c>addresses</c> covers <c>addresses[2]</c>).</summary>
    IReadOnlyList<string> ErrorsBelow(string path);

    /// <summary>Messages for exactly this path.</summary>
    IReadOnlyList<string> Errors(string path);

    /// <summary>A stable element id for the field at a JSON path.</summary>
    string Id(string path);
}
