using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;

namespace Fleet.Api.Links;

/// <summary>What the Api checks before it accepts a spec, beyond the shared validator.</summary>
public static class LinkSpecChecks
{
    /// <summary>
    /// The shared <see cref="LinkSpecValidator"/>, as ValidationProblem field errors; <paramref name="prefix"/> puts
    /// the paths where the spec sits in the request body (<c>spec.</c> in a create request).
    /// </summary>
    public static Dictionary<string, string[]> Validate(LinkSpec? spec, string prefix)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in LinkSpecValidator.Validate(spec).GroupBy(e => e.Path, StringComparer.Ordinal))
        {
            var path = group.Key.Length == 0 ? prefix.TrimEnd('.') : prefix + group.Key;
            result[path] = [.. group.Select(e => e.Message)];
        }

        return result;
    }

    /// <summary>
    /// Why the host cannot run a link of this kind, from the capabilities its agent reported (null when it can, or
    /// when the agent has not reported yet: the agent then refuses it itself and the link goes Failed).
    /// </summary>
    public static string? CapabilityProblem(HostEntity host, LinkKind kind)
    {
        var capabilities = host.Capabilities;
        if (capabilities is null || capabilities.Supports(kind))
        {
            return null;
        }

        // Validation refuses a kind that is not registered before this is asked.
        var descriptor = LinkKinds.Of(kind);
        var note = capabilities.NoteFor(kind) is { } why ? $" ({why})" : "";
        return $"Host '{host.Name}' cannot run {descriptor.WireName} links: its agent reports {descriptor.Capability}=false{note}.";
    }
}
