using System.Security.Cryptography;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>The podman objects a test creates, in the order they are removed: containers hold the others.</summary>
internal enum ContainerResource
{
    Container,
    Volume,
    Network,
    Image,
}

/// <summary>
/// What a container test created in podman, removed again on dispose, whatever the test's outcome: containers (with
/// the containers that depend on them), volumes, networks, images, and everything of a compose project. Names carry a
/// per-run prefix (<see cref="Prefix"/>), so that runs of other checkouts on the same machine never touch each other's.
/// </summary>
internal sealed class ContainerJanitor : IAsyncDisposable
{
    private readonly List<(ContainerResource Kind, string Name)> _resources = [];
    private readonly List<string> _composeProjects = [];
    private readonly List<string> _imageLabels = [];

    /// <summary>The per-run prefix of every name: <c>fleet-t</c> and 6 hex digits.</summary>
    public string Prefix { get; } = $"fleet-t{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    public string Name(string role) => $"{Prefix}-{role}";

    public string Container(string role) => Track(ContainerResource.Container, Name(role));

    public string Volume(string role) => Track(ContainerResource.Volume, Name(role));

    public string Image(string name) => Track(ContainerResource.Image, name);

    /// <summary>Registers a resource created under another name (by a script) for removal.</summary>
    public string Track(ContainerResource kind, string name)
    {
        lock (_resources)
        {
            _resources.Add((kind, name));
        }

        return name;
    }

    /// <summary>
    /// Registers a label (<c>KEY=VALUE</c>) given to a build: every image that carries it goes, the intermediate images
    /// of its stages too (podman labels those as well and keeps them as its layer cache).
    /// </summary>
    public string ImagesLabelled(string label)
    {
        lock (_resources)
        {
            _imageLabels.Add(label);
        }

        return label;
    }

    /// <summary>Registers a compose project: what compose created for it is removed too.</summary>
    public string ComposeProject(string project)
    {
        lock (_resources)
        {
            _composeProjects.Add(project);
        }

        return project;
    }

    /// <summary>
    /// The containers, volumes or networks of a compose project that exist: compose labels containers and volumes with
    /// the project; networks are found by name (project_network), which also catches one created without labels.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ComposeResourcesAsync(string project, ContainerResource kind)
    {
        var filter = $"label=com.docker.compose.project={project}";
        string[] command = kind switch
        {
            ContainerResource.Container => ["ps", "--all", "--filter", filter, "--format", "{{.Names}}"],
            ContainerResource.Volume => ["volume", "ls", "--filter", filter, "--format", "{{.Name}}"],
            ContainerResource.Network => ["network", "ls", "--format", "{{.Name}}"],
            ContainerResource.Image => throw new ArgumentException("compose projects' images are tracked by name", nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var names = (await Podman.MustAsync(command)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return kind == ContainerResource.Network ? [.. names.Where(n => n.StartsWith(project + "_", StringComparison.Ordinal))] : names;
    }

    public async ValueTask DisposeAsync()
    {
        List<(ContainerResource Kind, string Name)> resources;
        List<string> projects;
        List<string> labels;
        lock (_resources)
        {
            resources = [.. _resources];
            projects = [.. _composeProjects];
            labels = [.. _imageLabels];
            _resources.Clear();
            _composeProjects.Clear();
            _imageLabels.Clear();
        }

        foreach (var project in projects)
        {
            foreach (var kind in new[] { ContainerResource.Container, ContainerResource.Volume, ContainerResource.Network })
            {
                resources.AddRange((await ComposeResourcesAsync(project, kind)).Select(name => (kind, name)));
            }
        }

        foreach (var label in labels)
        {
            var ids = await Podman.RunAsync("images", "--all", "--quiet", "--filter", $"label={label}");
            resources.AddRange(ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal).Select(id => (ContainerResource.Image, id)));
        }

        // Kind by kind, each in the order registered: an image by its name before the labelled ones (its parents,
        // which go with it, and stage images), and those newest first, as podman lists them.
        foreach (var kind in Enum.GetValues<ContainerResource>())
        {
            foreach (var (_, name) in resources.Where(r => r.Kind == kind))
            {
                string[] command = kind switch
                {
                    ContainerResource.Container => ["rm", "--force", "--depend", "--volumes", "--time", "0", name],
                    ContainerResource.Volume => ["volume", "rm", "--force", name],
                    ContainerResource.Network => ["network", "rm", "--force", name],
                    ContainerResource.Image => ["rmi", "--force", name],
                    _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
                };
                var result = await Podman.RunAsync(command);
                if (result.ExitCode != 0 && !result.StandardError.Contains("no such", StringComparison.OrdinalIgnoreCase)
                    && !result.StandardError.Contains("not known", StringComparison.OrdinalIgnoreCase))
                {
                    await Console.Error.WriteLineAsync($"!!! cleanup: podman {string.Join(' ', command)}: {result.StandardError.Trim()}");
                }
            }
        }
    }
}
