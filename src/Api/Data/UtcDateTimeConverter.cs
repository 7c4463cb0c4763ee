using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Fleet.Api.Data;

/// <summary>
/// Every timestamp is UTC, truncated to whole microseconds (PostgreSQL's <c>timestamptz</c> precision) so both
/// providers store and return the same value. SQLite hands back <see cref="DateTimeKind.Unspecified"/>; this marks it
/// UTC again. DateTime rather than DateTimeOffset because EF's SQLite provider cannot compare or order DateTimeOffset.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(v => ToStore(v), v => FromStore(v))
{
    public static DateTime ToStore(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static DateTime FromStore(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
