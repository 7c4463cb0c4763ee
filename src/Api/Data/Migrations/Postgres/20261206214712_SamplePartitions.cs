using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Postgres
{
    /// <summary>
    /// Issue 16: <c>samples</c>, <c>samples_1m</c> and <c>samples_1h</c> become declaratively partitioned tables, ranged
    /// by their time column (a day, a week, a month per partition), each with a default partition; <c>samples</c>'
    /// primary key becomes (<c>id</c>, <c>time</c>), since a partitioned table's keys must hold the partition key. EF
    /// cannot express partitioning, so this is raw SQL: each table is renamed, its partitioned successor created with
    /// the same columns, keys and indexes (declared on the parent, so every partition gets its own), partitions created
    /// for every period that has rows and for today and the next two days, the rows copied across (ids and the
    /// identity's position kept), and the old table dropped. Nothing is lost; the copy costs one rewrite of the tables.
    /// The partition naming repeats <c>Data/Partitions/TimePartitionedTable</c> on purpose: a migration must not change
    /// when the code does. Down converts back to plain tables, also without loss.
    /// </summary>
    public partial class SamplePartitions : Migration
    {
        private static readonly PartitionedTable[] s_tables =
        [
            new("samples", "time", "day", ["id", "time"], ["id"], [("IX_samples_link_id_time", "link_id, \"time\""), ("IX_samples_time", "\"time\"")], HasIdentity: true),
            new("samples_1m", "bucket_start", "week", ["link_id", "member", "bucket_start"], ["link_id", "member", "bucket_start"],
                [("IX_samples_1m_link_id_bucket_start", "link_id, bucket_start"), ("IX_samples_1m_bucket_start", "bucket_start")], HasIdentity: false),
            new("samples_1h", "bucket_start", "month", ["link_id", "member", "bucket_start"], ["link_id", "member", "bucket_start"],
                [("IX_samples_1h_link_id_bucket_start", "link_id, bucket_start"), ("IX_samples_1h_bucket_start", "bucket_start")], HasIdentity: false),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in s_tables)
            {
                migrationBuilder.Sql(Rebuild(table, partitioned: true));
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in s_tables)
            {
                migrationBuilder.Sql(Rebuild(table, partitioned: false));
            }
        }

        /// <summary>
        /// The statements that replace <paramref name="table"/> by a partitioned (or, going down, a plain) table with
        /// the same columns and rows.
        /// </summary>
        private static string Rebuild(PartitionedTable table, bool partitioned)
        {
            var name = table.Name;
            var old = name + "_old";
            var key = string.Join(", ", (partitioned ? table.PartitionedKey : table.PlainKey).Select(c => $"\"{c}\""));
            var sql = new System.Text.StringBuilder();
            sql.AppendLine($"""ALTER TABLE "{name}" RENAME TO "{old}";""");
            sql.AppendLine($"""ALTER TABLE "{old}" RENAME CONSTRAINT "PK_{name}" TO "PK_{old}";""");
            foreach (var (index, _) in table.Indexes)
            {
                sql.AppendLine($"""DROP INDEX "{index}";""");
            }

            if (table.HasIdentity)
            {
                // The identity's sequence keeps its name through the rename; free it for the new table's.
                sql.AppendLine($"""DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', pg_get_serial_sequence('"{old}"', 'id'), '{old}_id_seq'); END $$;""");
            }

            var partitionBy = partitioned ? $""" PARTITION BY RANGE ("{table.Column}")""" : "";
            sql.AppendLine($"""CREATE TABLE "{name}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY){partitionBy};""");
            sql.AppendLine($"""ALTER TABLE "{name}" ADD CONSTRAINT "PK_{name}" PRIMARY KEY ({key});""");
            foreach (var (index, columns) in table.Indexes)
            {
                sql.AppendLine($"""CREATE INDEX "{index}" ON "{name}" ({columns});""");
            }

            if (partitioned)
            {
                sql.AppendLine($"""CREATE TABLE "{name}_default" PARTITION OF "{name}" DEFAULT;""");
                // A partition for every period that has rows, and for today and the next two days (UTC).
                sql.AppendLine($$"""
                    DO $$
                    DECLARE start timestamp;
                    BEGIN
                        FOR start IN
                            SELECT DISTINCT date_trunc('{{table.Range}}', "{{table.Column}}" AT TIME ZONE 'UTC') FROM "{{old}}"
                            UNION
                            SELECT date_trunc('{{table.Range}}', (now() AT TIME ZONE 'UTC') + ahead * interval '1 day') FROM generate_series(0, 2) AS ahead
                        LOOP
                            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                                '{{name}}_p' || to_char(start, 'YYYYMMDD'), '{{name}}',
                                start AT TIME ZONE 'UTC', (start + interval '1 {{table.Range}}') AT TIME ZONE 'UTC');
                        END LOOP;
                    END $$;
                    """);
            }

            sql.AppendLine($"""INSERT INTO "{name}" SELECT * FROM "{old}";""");
            if (table.HasIdentity)
            {
                // New ids continue where the old table's left off (ids are never reused, even of deleted rows).
                sql.AppendLine($"""SELECT setval(pg_get_serial_sequence('"{name}"', 'id'), last_value, is_called) FROM "{old}_id_seq";""");
            }

            sql.AppendLine($"""DROP TABLE "{old}";""");
            return sql.ToString();
        }

        private sealed record PartitionedTable(
            string Name, string Column, string Range, string[] PartitionedKey, string[] PlainKey, (string Name, string Columns)[] Indexes, bool HasIdentity);
    }
}
