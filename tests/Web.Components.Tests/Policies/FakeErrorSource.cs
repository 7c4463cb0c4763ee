using Fleet.Web.Policies;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>Validation errors by JSON path, as the policy editor would report them to its fields.</summary>
internal sealed class FakeErrorSource : IFieldErrorSource
{
    private readonly List<(string Path, string Message)> _errors = [];

    public FakeErrorSource Add(string path, string message)
    {
        _errors.Add((path, message));
        return this;
    }

    public IReadOnlyList<string> Errors(string path) => _errors.Where(e => e.Path == path).Select(e => e.Message).ToList();

    public IReadOnlyList<string> ErrorsBelow(string path) =>
        _errors.Where(e => e.Path == path || e.Path.StartsWith(path + ".", StringComparison.Ordinal) || e.Path.StartsWith(path + "[", StringComparison.Ordinal))
            .Select(e => e.Message).ToList();

    public string Id(string path) => "f-" + path.Replace('.', '-').Replace('[', '-').Replace(']', '-');
}
