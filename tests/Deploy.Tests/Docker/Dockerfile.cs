using System.Text.Json;

namespace Fleet.Deploy.Tests.Docker;

/// <summary>One instruction of a Dockerfile, continuation lines joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line)
{
    /// <summary>The words of the instruction: the exec (JSON array) form, or the shell form split at whitespace.</summary>
    public IReadOnlyList<string> Words =>
        Arguments.StartsWith('[')
            ? JsonSerializer.Deserialize<string[]>(Arguments)!
            : Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The <c>--name=value</c> flags at the start of the instruction.</summary>
    public IReadOnlyDictionary<string, string> Flags =>
        Words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal))
            .Select(w => w[2..].Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>The words after the flags.</summary>
    public IReadOnlyList<string> Operands => [.. Words.SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal))];
}

/// <summary>A build stage: its <c>FROM</c> line and what follows up to the next one.</summary>
internal sealed record DockerStage(string BaseImage, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>A small Dockerfile reader: enough structure to check what the file copies, runs and declares.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerInstruction> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        GlobalInstructions = globalArgs;
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>Instructions before the first FROM (ARGs).</summary>
    public IReadOnlyList<DockerInstruction> GlobalInstructions { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public static Dockerfile Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                var next = lines[++i].Trim();
                if (next.StartsWith('#'))
                {
                    continue;
                }

                line = line[..^1].TrimEnd() + " " + next;
            }

            var split = line.IndexOfAny([' ', '\t']);
            var keyword = (split < 0 ? line : line[..split]).ToUpperInvariant();
            var arguments = split < 0 ? "" : line[(split + 1)..].Trim();
            instructions.Add(new DockerInstruction(keyword, arguments, start));
        }

        var global = instructions.TakeWhile(i => i.Keyword != "FROM").ToList();
        var stages = new List<DockerStage>();
        foreach (var from in instructions.Where(i => i.Keyword == "FROM"))
        {
            var words = from.Operands;
            var name = words.Count >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
            var body = instructions.SkipWhile(i => i != from).Skip(1).TakeWhile(i => i.Keyword != "FROM").ToList();
            stages.Add(new DockerStage(words[0], name, body));
        }

        return new Dockerfile(path, global, stages);
    }

    /// <summary>The default of <c>ARG name=default</c>, wherever it is declared; null when it has none.</summary>
    public IEnumerable<string?> ArgDefaults(string name) =>
        GlobalInstructions.Concat(Stages.SelectMany(s => s.Instructions))
            .Where(i => i.Keyword == "ARG")
            .Select(i => i.Arguments.Split('=', 2))
            .Where(p => p[0] == name)
            .Select(p => p.Length > 1 ? p[1].Trim('"') : null);
}
