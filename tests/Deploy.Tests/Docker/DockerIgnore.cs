using System.Text;
using System.Text.RegularExpressions;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>
/// The exclusion rules of a <c>.dockerignore</c> file: patterns with <c>*</c>, <c>?</c>, <c>**</c> and <c>!</c> exceptions;
/// the last rule that matches the path or one of its parent folders wins.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

    public DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            _rules.Add((ToRegex(pattern), exclude));
        }
    }

    /// <summary>The rules for the Dockerfile at <paramref name="dockerfile"/> building <paramref name="context"/>.</summary>
    public static DockerIgnore For(string dockerfile, string context)
    {
        var specific = dockerfile + ".dockerignore";
        var general = Path.Combine(context, ".dockerignore");
        var file = File.Exists(specific) ? specific : general;
        return new DockerIgnore(File.Exists(file) ? File.ReadAllLines(file) : []);
    }

    /// <summary>Whether a context-relative path is left out of the build context.</summary>
    public bool Excludes(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Trim('/').Split('/');
        var self = string.Join('/', parts);
        var parents = Enumerable.Range(1, parts.Length - 1).Select(n => string.Join('/', parts.Take(n))).ToList();
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            // As Docker does: a rule applies to a path when it matches the path or one of its parent folders.
            if (pattern.IsMatch(self) || parents.Exists(pattern.IsMatch))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
