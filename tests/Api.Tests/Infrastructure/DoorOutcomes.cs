using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Api.Data.Entities;
using Fleet.Web.Policies;
using Fleet.Web.Settings;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// What a door answered, in terms both doors share, so a test can say "same input, same result": whether it
/// succeeded, the messages it refused with (field errors' messages, a refusal's sentence) and the fields named.
/// Compare with <see cref="ToString"/>.
/// </summary>
public sealed record DoorOutcome(bool Succeeded, IReadOnlyList<string> Messages, IReadOnlyList<string> Fields)
{
    public override string ToString() => $"{(Succeeded ? "ok" : "refused")} [{string.Join(" | ", Messages)}] fields [{string.Join(", ", Fields)}]";

    /// <summary>A REST answer: 2xx, a ValidationProblem's field errors, or a ProblemDetails' detail.</summary>
    public static async Task<DoorOutcome> OfAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return new DoorOutcome(true, [], []);
        }

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (response.StatusCode == HttpStatusCode.BadRequest && problem.TryGetProperty("errors", out var errors))
        {
            var fields = errors.EnumerateObject().ToList();
            return new DoorOutcome(false, Sorted(fields.SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString() ?? ""))), Sorted(fields.Select(e => e.Name)));
        }

        return new DoorOutcome(false, [problem.GetProperty("detail").GetString() ?? ""], []);
    }

    /// <summary>A settings command's answer; <paramref name="refusalFields"/> are where the page shows a refusal's sentence (not a field error).</summary>
    public static DoorOutcome Of(SettingsResult result, params string[] refusalFields) => new(
        result.Succeeded,
        Sorted(result.Errors.SelectMany(e => e.Value)),
        Sorted(result.Errors.Keys.Where(k => k.Length > 0 && !refusalFields.Contains(k))));

    /// <summary>The policy editor's answer; <paramref name="refusalFields"/> as for settings. REST's 412 reads as the editor's conflict.</summary>
    public static DoorOutcome Of(PolicyChangeResult result, params string[] refusalFields) => result switch
    {
        PolicyChangeResult.Accepted => new DoorOutcome(true, [], []),
        PolicyChangeResult.Invalid invalid => new DoorOutcome(
            false,
            Sorted(invalid.Errors.Select(e => e.Message)),
            Sorted(invalid.Errors.Select(e => e.Path).Where(p => p.Length > 0 && !refusalFields.Contains(p)).Distinct())),
        PolicyChangeResult.Conflict conflict => new DoorOutcome(false, [$"stale at generation {conflict.CurrentGeneration}"], []),
        PolicyChangeResult.Forbidden => new DoorOutcome(false, ["forbidden"], []),
        PolicyChangeResult.NotFound => new DoorOutcome(false, ["not found"], []),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    private static List<string> Sorted(IEnumerable<string> messages) => [.. messages.Order(StringComparer.Ordinal)];
}

/// <summary>Audit rows as a test compares them across doors: the values that differ by door alone replaced by placeholders.</summary>
public static class AuditRows
{
    /// <summary>The newest audit row (the one the last command wrote).</summary>
    public static async Task<AuditEntryEntity> NewestAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        return await db.AuditLog.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync();
    }

    /// <summary>How many audit rows there are.</summary>
    public static async Task<int> CountAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        return await db.AuditLog.CountAsync();
    }

    /// <summary>
    /// <c>actor action target_type target | before | after</c>, with every string in <paramref name="placeholders"/>
    /// (an id, a name) replaced by its placeholder and every time (<c>…At</c> properties) by <c>&lt;time&gt;</c>.
    /// </summary>
    public static string Normalize(AuditEntryEntity row, IReadOnlyDictionary<string, string> placeholders) =>
        $"{row.Actor} {row.Action} {row.TargetType} {Replace(row.TargetId, placeholders)} | {Json(row.Before, placeholders)} | {Json(row.After, placeholders)}";

    private static string Json(string? json, IReadOnlyDictionary<string, string> placeholders)
    {
        if (json is null)
        {
            return "null";
        }

        var node = JsonNode.Parse(json);
        Walk(node, null, placeholders);
        return node?.ToJsonString() ?? "null";
    }

    private static void Walk(JsonNode? node, string? name, IReadOnlyDictionary<string, string> placeholders)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (key.EndsWith("At", StringComparison.Ordinal) && obj[key] is not null)
                    {
                        obj[key] = "<time>";
                    }
                    else if (obj[key] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[key] = Replace(text, placeholders);
                    }
                    else
                    {
                        Walk(obj[key], key, placeholders);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = Replace(text, placeholders);
                    }
                    else
                    {
                        Walk(array[i], name, placeholders);
                    }
                }

                break;
        }
    }

    private static string? Replace(string? text, IReadOnlyDictionary<string, string> placeholders)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var (value, placeholder) in placeholders)
        {
            text = text.Replace(value, placeholder, StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }
}
