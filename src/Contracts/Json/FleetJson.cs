using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Contracts.Json;

/// <summary>
/// The one JSON shape of Fleet's wire types: camelCase properties, snake_case enum names, nullable annotations
/// respected (a <c>null</c> for a non-nullable property is an error, not a silent default).
/// Api, Agent, SignalR hubs and Web all use these options so a spec means the same thing everywhere.
/// </summary>
public static class FleetJson
{
    /// <summary>Options for Fleet's wire types; frozen, safe to share.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies Fleet's conventions to an options instance owned by a framework (ASP.NET Core, SignalR).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = false;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.AllowTrailingCommas = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.MaxDepth = 32;

        // Wire values such as "layer3+4" stay readable. This JSON goes to API clients, agents and SignalR, never
        // into HTML unencoded (Razor encodes what it renders).
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
