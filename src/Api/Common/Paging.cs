using System.Buffers.Text;
using Fleet.Api.Configuration;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Common;

/// <summary>A validated page request: items after (or before, for newest-first lists) <see cref="Cursor"/>.</summary>
/// <param name="Cursor">The id of the last item of the previous page, or null for the first page.</param>
/// <param name="Limit">Page size.</param>
public readonly record struct PageRequest(Guid? Cursor, int Limit);

/// <summary>
/// The paging query of every list endpoint (<c>?cursor=…&amp;limit=…</c>) with the configured page limits: a handler
/// takes it as one <c>[AsParameters] PageQuery page</c> and reads <see cref="Parse"/>.
/// </summary>
public sealed class PageQuery
{
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    [FromQuery(Name = "limit")]
    public int? Limit { get; set; }

    [FromServices]
    public IOptions<FleetOptions> Options { get; set; } = null!;

    /// <summary>The validated page, or null with its problems added to <paramref name="errors"/>.</summary>
    public PageRequest? Parse(Dictionary<string, string[]> errors) => Paging.Parse(Cursor, Limit, Options.Value.Limits, errors);
}

/// <summary>
/// Cursor pagination over version-7 ids (time-ordered, docs/architecture.md): the cursor is the last id of a page,
/// encoded opaquely; a page is read with one more row than asked to know whether another follows.
/// </summary>
public static class Paging
{
    public static PageRequest? Parse(string? cursor, int? limit, RequestLimitOptions limits, Dictionary<string, string[]> errors)
    {
        var size = limit ?? limits.DefaultPageSize;
        if (size < 1 || size > limits.MaxPageSize)
        {
            errors["limit"] = [$"must be between 1 and {limits.MaxPageSize}"];
        }

        Guid? after = null;
        if (cursor is not null)
        {
            if (TryDecode(cursor, out var id))
            {
                after = id;
            }
            else
            {
                errors["cursor"] = ["is not a cursor this API issued"];
            }
        }

        return errors.Count == 0 ? new PageRequest(after, size) : null;
    }

    public static string Encode(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

    public static bool TryDecode(string cursor, out Guid id)
    {
        id = Guid.Empty;
        Span<byte> bytes = stackalloc byte[16];
        if (cursor.Length != 22 || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 16)
        {
            return false;
        }

        id = new Guid(bytes, bigEndian: true);
        return true;
    }

    /// <summary>Builds a page from rows read with <c>Take(limit + 1)</c>.</summary>
    public static Page<TDto> ToPage<T, TDto>(IReadOnlyList<T> rows, int limit, Func<T, Guid> id, Func<T, TDto> map)
    {
        var items = new List<TDto>(Math.Min(rows.Count, limit));
        for (var i = 0; i < rows.Count && i < limit; i++)
        {
            items.Add(map(rows[i]));
        }

        var next = rows.Count > limit ? Encode(id(rows[limit - 1])) : null;
        return new Page<TDto>(items, next);
    }
}
