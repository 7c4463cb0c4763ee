using System.Text.Json.Nodes;

namespace Fleet.Web.Policies;

/// <summary>
/// Hides a spec's secrets before it is shown (docs/architecture.md, "Secrets": the striper's pre-shared key is never
/// displayed or logged). Whether the key changed is still visible in diffs, as "(changed)".
/// </summary>
public static class SpecRedaction
{
    /// <summary>What a secret reads as.</summary>
    public const string Hidden = "(hidden)";

    /// <summary>JSON paths of secrets.</summary>
    public static IReadOnlySet<string> SecretPaths { get; } = new HashSet<string>(StringComparer.Ordinal) { "striper.key" };

    /// <summary>Replaces secrets in a serialized spec, in place; returns the same node.</summary>
    public static JsonNode? Redact(JsonNode? spec)
    {
        if (spec?["striper"] is JsonObject striper && striper.ContainsKey("key"))
        {
            striper["key"] = Hidden;
        }

        return spec;
    }
}
