using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Data;

/// <summary>
/// The schema of a database as the engine itself reports it (catalog queries, not EF's model): tables, columns with
/// types, nullability, defaults and identity, primary keys, foreign keys with their delete rules, and indexes with
/// uniqueness, columns and filters. One line per fact, sorted, so two dumps compare as sets. PostgreSQL's time
/// partitions (<c>SamplePartitions</c>) are not part of the EF model: a partitioned table reads as the table it
/// stands for (its indexes without <c>ONLY</c>), and its partitions are left out (SamplePartitionTests cover them).
/// </summary>
internal static partial class SchemaDump
{
    public static async Task<IReadOnlyList<string>> ReadAsync(FleetDbContext db)
    {
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var lines = db.Database.IsNpgsql() ? await ReadPostgresAsync(connection) : await ReadSqliteAsync(connection);
        return [.. lines.Where(l => !l.Contains("__EF", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }

    private static async Task<List<string>> ReadSqliteAsync(DbConnection connection)
    {
        var lines = new List<string>();
        var tables = await QueryAsync(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        foreach (var table in tables)
        {
            var name = table[0];
            lines.Add($"table {name} autoincrement={table[1].Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase)}");
            foreach (var c in await QueryAsync(connection, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{name}')"))
            {
                lines.Add($"column {name}.{c[0]} type={c[1]} notnull={c[2]} default={c[3]} pk={c[4]}");
            }

            foreach (var f in await QueryAsync(connection, $"SELECT \"table\", \"from\", \"to\", on_delete, on_update FROM pragma_foreign_key_list('{name}')"))
            {
                lines.Add($"fk {name}.{f[1]} -> {f[0]}.{f[2]} on_delete={f[3]} on_update={f[4]}");
            }

            foreach (var i in await QueryAsync(connection, $"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{name}')"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno");
                var sql = (await QueryAsync(connection, $"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{i[0]}'")).FirstOrDefault()?[0] ?? "";
                var where = sql.Contains(" WHERE ", StringComparison.OrdinalIgnoreCase) ? Normalize(sql[(sql.IndexOf(" WHERE ", StringComparison.OrdinalIgnoreCase) + 7)..]) : "";
                lines.Add($"index {name}.{i[0]} unique={i[1]} origin={i[2]} partial={i[3]} columns=({string.Join(",", columns.Select(c => c[0]))}) where={where}");
            }
        }

        return lines;
    }

    private static async Task<List<string>> ReadPostgresAsync(DbConnection connection)
    {
        var lines = new List<string>();
        var partitions = (await QueryAsync(connection, "SELECT relname FROM pg_class WHERE relispartition AND relnamespace = 'public'::regnamespace"))
            .Select(p => p[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var t in await QueryAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
        {
            if (!partitions.Contains(t[0]))
            {
                lines.Add($"table {t[0]}");
            }
        }

        const string columns = """
            SELECT table_name, column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable,
                   coalesce(column_default, ''), is_identity, coalesce(identity_generation, ''), coalesce(numeric_precision::text, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            """;
        foreach (var c in (await QueryAsync(connection, columns)).Where(c => !partitions.Contains(c[0])))
        {
            lines.Add($"column {c[0]}.{c[1]} type={c[2]}({c[3]}) nullable={c[4]} default={c[5]} identity={c[6]}:{c[7]} precision={c[8]}");
        }

        const string constraints = """
            SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            """;
        foreach (var k in (await QueryAsync(connection, constraints)).Where(k => !partitions.Contains(k[0])))
        {
            lines.Add($"constraint {k[0]}.{k[1]} type={k[2]} {Normalize(k[3])}");
        }

        foreach (var i in (await QueryAsync(connection, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")).Where(i => !partitions.Contains(i[0])))
        {
            lines.Add($"index {i[0]}.{i[1]} {Normalize(i[2]).Replace(" ON ONLY ", " ON ", StringComparison.Ordinal)}");
        }

        return lines;
    }

    private static string Normalize(string sql) => Whitespace().Replace(sql.Trim(), " ");

    private static async Task<List<string[]>> QueryAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
            }

            rows.Add(row);
        }

        return rows;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
