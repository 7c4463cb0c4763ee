using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts.Json;

namespace Fleet.Contracts.Links;

/// <summary>
/// Structural equality of specs. Records compare their lists by reference, so two specs read from the same JSON
/// are not <c>==</c>; this compares what the JSON says, property order and collection types aside.
/// </summary>
public static class LinkSpecEquality
{
    /// <summary>True when both specs would serialize to the same JSON document (object property order ignored).</summary>
    public static bool AreEquivalent<T>(T? left, T? right)
        where T : class
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null)
        {
            return false;
        }

        return JsonNode.DeepEquals(
            JsonSerializer.SerializeToNode(left, FleetJson.Options),
            JsonSerializer.SerializeToNode(right, FleetJson.Options));
    }
}
