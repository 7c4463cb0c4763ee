using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fleet.Deploy.Tests.Infrastructure;

/// <summary>Loads YAML files (anchors and merge keys resolved) and walks them with short, failing-loudly accessors.</summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> LoadDocuments(string path) => ParseDocuments(File.ReadAllText(path), path);

    public static YamlMappingNode Load(string path) => LoadDocuments(path).Single();

    public static IReadOnlyList<YamlMappingNode> ParseDocuments(string text, string source)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        try
        {
            stream.Load(new MergingParser(new Parser(reader)));
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }

        return [.. stream.Documents.Select(d => d.RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{source}: a document is not a mapping"))];
    }

    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode Map(this YamlNode node, string key) =>
        node.Get(key) as YamlMappingNode ?? throw new KeyNotFoundException($"no mapping '{key}' at {node.Start}");

    public static YamlSequenceNode Seq(this YamlNode node, string key) =>
        node.Get(key) as YamlSequenceNode ?? throw new KeyNotFoundException($"no sequence '{key}' at {node.Start}");

    public static string Str(this YamlNode node, string key) =>
        (node.Get(key) as YamlScalarNode)?.Value ?? throw new KeyNotFoundException($"no scalar '{key}' at {node.Start}");

    public static string? StrOrNull(this YamlNode node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node) =>
        node is YamlMappingNode map
            ? map.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value))
            : [];

    public static IEnumerable<YamlNode> Items(this YamlNode? node) => node as YamlSequenceNode ?? (IEnumerable<YamlNode>)[];

    public static IEnumerable<string> Scalars(this YamlNode? node) =>
        node.Items().OfType<YamlScalarNode>().Select(s => s.Value!);

    /// <summary>Every mapping in the tree below <paramref name="node"/>, the node itself included.</summary>
    public static IEnumerable<YamlMappingNode> AllMappings(this YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            yield return map;
        }

        var children = node switch
        {
            YamlMappingNode m => m.Children.Values,
            YamlSequenceNode s => s.Children,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in child.AllMappings())
            {
                yield return descendant;
            }
        }
    }
}
