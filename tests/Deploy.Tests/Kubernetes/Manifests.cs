using Fleet.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Fleet.Deploy.Tests.Kubernetes;

/// <summary>deploy/k8s: the kustomization and the resources it lists, parsed.</summary>
internal sealed class Manifests
{
    public const string Folder = "deploy/k8s";

    private Manifests(YamlMappingNode kustomization, IReadOnlyList<(string File, YamlMappingNode Resource)> resources)
    {
        Kustomization = kustomization;
        Resources = resources;
    }

    public YamlMappingNode Kustomization { get; }

    public IReadOnlyList<(string File, YamlMappingNode Resource)> Resources { get; }

    public static Manifests Load()
    {
        var kustomization = Yaml.Load(Repository.PathOf(Folder, "kustomization.yaml"));
        var resources = kustomization.Get("resources").Scalars()
            .SelectMany(file => Yaml.LoadDocuments(Repository.PathOf(Folder, file)).Select(r => (file, r)))
            .ToList();
        return new Manifests(kustomization, resources);
    }

    public YamlMappingNode Single(string kind, string name) =>
        Resources.Select(r => r.Resource).Single(r => r.Str("kind") == kind && r.Map("metadata").Str("name") == name);

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Resources.Select(r => r.Resource).Where(r => r.Str("kind") == kind);

    /// <summary>The pod template of a Deployment, DaemonSet or Job.</summary>
    public static YamlMappingNode PodTemplate(YamlNode workload) => workload.Map("spec").Map("template");

    public static YamlMappingNode Container(YamlNode workload, string name) =>
        (YamlMappingNode)PodTemplate(workload).Map("spec").Seq("containers").Items().Single(c => c.Str("name") == name);

    public static IReadOnlyDictionary<string, string> Labels(YamlNode metadata) =>
        metadata.Get("labels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value!, StringComparer.Ordinal);
}
