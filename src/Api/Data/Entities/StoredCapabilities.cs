using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// <c>hosts.capabilities</c>: the agent's <see cref="AgentCapabilities"/> as JSON. Rows written before the kinds became
/// a set (issue 15) hold one boolean per kind (<c>{"bonding":true,"teql":false,"mptcp":true,"tun":true}</c>); they
/// are read as the set those booleans stood for, and the next hello of the host's agent rewrites them.
/// </summary>
internal static class StoredCapabilities
{
    // The fields of the old shape and the kinds they stood for. It describes rows already stored, so it never grows:
    // a new kind exists only in the new shape.
    private static readonly (string Field, string Kind)[] s_legacyFields =
        [("bonding", "bond"), ("teql", "teql"), ("mptcp", "mptcp"), ("tun", "striper")];

    public static ValueConverter<AgentCapabilities?, string> Converter { get; } =
        new(v => JsonSerializer.Serialize(v, FleetJson.Options), s => Read(s));

    /// <summary>Reads either shape.</summary>
    public static AgentCapabilities? Read(string json)
    {
        if (JsonNode.Parse(json) is not JsonObject stored)
        {
            return null;
        }

        if (stored.ContainsKey("kinds"))
        {
            return stored.Deserialize<AgentCapabilities>(FleetJson.Options);
        }

        var kinds = s_legacyFields
            .Where(f => stored[f.Field] is JsonValue value && value.TryGetValue<bool>(out var available) && available)
            .Select(f => f.Kind)
            .ToList();
        var notes = stored["notes"]?.Deserialize<Dictionary<string, string>>(FleetJson.Options);
        return new AgentCapabilities(kinds, notes);
    }
}
