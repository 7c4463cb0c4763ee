using Fleet.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Fleet.Deploy.Tests.Compose;

/// <summary>
/// The repository's docker-compose.yml (plus optional override files), anchors and merge keys resolved, with
/// <c>${NAME:-default}</c> read as its default: what `docker compose up` uses when nothing is set in the environment.
/// Relative paths resolve against the repository root, the project directory of every file (as compose does).
/// </summary>
internal sealed class ComposeFile
{
    public const string MainFile = "docker-compose.yml";
    public const string ObservabilityFile = "deploy/compose/observability.yml";
    public const string LocalBaseFile = "deploy/compose/local-base.yml";

    private ComposeFile(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public static ComposeFile Load(string relativePath = MainFile) =>
        new(Yaml.Load(Repository.PathOf(relativePath)));

    public IEnumerable<(string Name, YamlNode Service)> Services => Root.Get("services").Entries();

    public YamlNode Service(string name) =>
        Root.Map("services").Get(name) ?? throw new KeyNotFoundException($"no service '{name}' in the compose file");

    public IEnumerable<string> ServiceNames => Services.Select(s => s.Name);

    public static string Interpolate(string value) =>
        Repository.ComposeVariable().Replace(value, m => m.Groups["default"].Value).Replace("$$", "$", StringComparison.Ordinal);

    public static string? Scalar(YamlNode node, string key) => node.StrOrNull(key) is { } value ? Interpolate(value) : null;

    /// <summary>A service's environment, from the mapping or the list form, interpolated.</summary>
    public static IReadOnlyDictionary<string, string> Environment(YamlNode service)
    {
        var environment = service.Get("environment");
        var entries = environment is YamlSequenceNode
            ? environment.Scalars().Select(s => s.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : ""))
            : environment.Entries().Select(e => (e.Key, ((YamlScalarNode)e.Value).Value ?? ""));
        return entries.ToDictionary(e => e.Item1, e => Interpolate(e.Item2), StringComparer.Ordinal);
    }

    /// <summary>The services this one waits for, with the condition (short list form means service_started).</summary>
    public static IReadOnlyDictionary<string, string> DependsOn(YamlNode service)
    {
        var dependsOn = service.Get("depends_on");
        if (dependsOn is YamlSequenceNode)
        {
            return dependsOn.Scalars().ToDictionary(s => s, _ => "service_started", StringComparer.Ordinal);
        }

        return dependsOn.Entries().ToDictionary(
            e => e.Key, e => e.Value.StrOrNull("condition") ?? "service_started", StringComparer.Ordinal);
    }

    /// <summary>The service a <c>network_mode: service:NAME</c> joins, if any.</summary>
    public static string? NetworkModeService(YamlNode service) =>
        service.StrOrNull("network_mode") is { } mode && mode.StartsWith("service:", StringComparison.Ordinal) ? mode["service:".Length..] : null;

    /// <summary>The networks a service is attached to, with the attachment options (or an empty mapping).</summary>
    public static IReadOnlyDictionary<string, YamlNode> Networks(YamlNode service)
    {
        var networks = service.Get("networks");
        if (networks is YamlSequenceNode)
        {
            return networks.Scalars().ToDictionary(s => s, _ => (YamlNode)new YamlMappingNode(), StringComparer.Ordinal);
        }

        return networks.Entries().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// The build of a service: repository-relative context and Dockerfile path, or null when it has none, or when it
    /// only sets arguments (an override file adding to the main file's build).
    /// </summary>
    public static (string Context, string Dockerfile)? Build(YamlNode service)
    {
        var build = service.Get("build");
        if (build is null || (build is YamlMappingNode && build.Get("context") is null && build.Get("dockerfile") is null))
        {
            return null;
        }

        var context = build is YamlScalarNode scalar ? scalar.Value! : build.StrOrNull("context") ?? ".";
        var dockerfile = build.StrOrNull("dockerfile") ?? "Dockerfile";
        var fullContext = Path.GetFullPath(Path.Combine(Repository.Root, Interpolate(context)));
        var fullDockerfile = Path.GetFullPath(Path.Combine(fullContext, Interpolate(dockerfile)));
        return (Relative(fullContext), Relative(fullDockerfile));

        static string Relative(string path) => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');
    }

    /// <summary>The short-syntax volumes of a service as (source, target, options).</summary>
    public static IEnumerable<(string Source, string Target, string Options)> Volumes(YamlNode service) =>
        service.Get("volumes").Scalars().Select(Interpolate).Select(v => v.Split(':')).Select(p =>
            (p[0], p.Length > 1 ? p[1] : p[0], p.Length > 2 ? p[2] : ""));

    /// <summary>Whether a volume source is a path on the host (a bind mount) rather than a named volume.</summary>
    public static bool IsBindMount(string source) =>
        source.StartsWith('.') || source.StartsWith('/') || source.StartsWith('~');
}
