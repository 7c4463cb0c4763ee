using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Fleet.Deploy.Tests.Infrastructure;

/// <summary>The checkout the tests run from: the folder that holds Fleet.sln, and facts read from its build files.</summary>
internal static partial class Repository
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    /// <summary>The build configuration of this test assembly (Debug or Release), to find sibling builds.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;

    /// <summary>The product version every artifact carries: <c>Version</c> in Directory.Build.props.</summary>
    public static string Version
    {
        get
        {
            var props = XDocument.Load(PathOf("Directory.Build.props"));
            return props.Descendants("Version").Single().Value.Trim();
        }
    }

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>The repository-relative paths of the projects <paramref name="project"/> references, transitively, itself included.</summary>
    public static IReadOnlyList<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            var directory = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Load(PathOf(current)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                var full = Path.GetFullPath(Path.Combine(Root, directory, include));
                pending.Push(Path.GetRelativePath(Root, full).Replace('\\', '/'));
            }
        }

        return [.. seen];
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Fleet.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Matches <c>${NAME:-default}</c> / <c>${NAME-default}</c> / <c>${NAME}</c> in compose files.</summary>
    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}")]
    public static partial Regex ComposeVariable();
}
