using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Fleet.Api.Data.Migrations;

/// <summary>
/// Issue 21: a batch is identified by (host, agent queue, sequence), so an agent whose queue starts over (queue file
/// lost, simulator restarted) is not taken for a resend of its old batches; <c>hosts.batch_queue_id</c> remembers the
/// queue seen last, to record when it changes. Rows stored before get the empty queue id, which is what agents that
/// predate queue ids keep sending. Hand-written like the first migration; SQLite cannot change a primary key in place
/// (and EF rebuilds tables only from a model snapshot, which hand-written migrations lack), so there the table is
/// rebuilt here. <c>MigrationSchemaTests</c> proves the result equals the model on both providers.
/// </summary>
[DbContext(typeof(FleetDbContext))]
[Migration("20261210000000_BatchQueueIds")]
public sealed class BatchQueueIds : Migration
{
    private const string Table = "ingested_batches";
    private const string Previous = "ingested_batches_before_queue_ids";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<Guid>(name: "batch_queue_id", table: "hosts", nullable: true);
        if (migrationBuilder.IsSqlite())
        {
            Rebuild(migrationBuilder, withQueue: true);
            return;
        }

        migrationBuilder.DropPrimaryKey(name: "PK_ingested_batches", table: Table);
        migrationBuilder.AddColumn<Guid>(name: "queue_id", table: Table, nullable: false, defaultValue: Guid.Empty);

        // The default only fills the existing rows; the model has none (every insert names the queue).
        migrationBuilder.Sql("ALTER TABLE ingested_batches ALTER COLUMN queue_id DROP DEFAULT");
        migrationBuilder.AddPrimaryKey(name: "PK_ingested_batches", table: Table, columns: ["host_id", "queue_id", "sequence"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        // Batches of different queues may share a sequence: only the empty queue's rows fit the old key.
        migrationBuilder.Sql("DELETE FROM ingested_batches WHERE queue_id <> '00000000-0000-0000-0000-000000000000'");
        if (migrationBuilder.IsSqlite())
        {
            Rebuild(migrationBuilder, withQueue: false);
        }
        else
        {
            migrationBuilder.DropPrimaryKey(name: "PK_ingested_batches", table: Table);
            migrationBuilder.DropColumn(name: "queue_id", table: Table);
            migrationBuilder.AddPrimaryKey(name: "PK_ingested_batches", table: Table, columns: ["host_id", "sequence"]);
        }

        migrationBuilder.DropColumn(name: "batch_queue_id", table: "hosts");
    }

    /// <summary>SQLite: the table again with (or without) <c>queue_id</c> in its key, rows copied, the old one dropped.</summary>
    private static void Rebuild(MigrationBuilder migrationBuilder, bool withQueue)
    {
        migrationBuilder.DropIndex(name: "IX_ingested_batches_received_at", table: Table);
        migrationBuilder.RenameTable(name: Table, newName: Previous);
        if (withQueue)
        {
            migrationBuilder.CreateTable(
                name: Table,
                columns: table => new
                {
                    host_id = table.Column<Guid>(nullable: false),
                    queue_id = table.Column<Guid>(nullable: false),
                    sequence = table.Column<long>(nullable: false),
                    received_at = table.Column<DateTime>(nullable: false),
                    sample_count = table.Column<int>(nullable: false),
                    first_sample_at = table.Column<DateTime>(nullable: true),
                    last_sample_at = table.Column<DateTime>(nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_ingested_batches", x => new { x.host_id, x.queue_id, x.sequence }));
        }
        else
        {
            migrationBuilder.CreateTable(
                name: Table,
                columns: table => new
                {
                    host_id = table.Column<Guid>(nullable: false),
                    sequence = table.Column<long>(nullable: false),
                    received_at = table.Column<DateTime>(nullable: false),
                    sample_count = table.Column<int>(nullable: false),
                    first_sample_at = table.Column<DateTime>(nullable: true),
                    last_sample_at = table.Column<DateTime>(nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_ingested_batches", x => new { x.host_id, x.sequence }));
        }

        migrationBuilder.Sql(withQueue
            ? $"INSERT INTO {Table} (host_id, queue_id, sequence, received_at, sample_count, first_sample_at, last_sample_at) SELECT host_id, '00000000-0000-0000-0000-000000000000', sequence, received_at, sample_count, first_sample_at, last_sample_at FROM {Previous}"
            : $"INSERT INTO {Table} (host_id, sequence, received_at, sample_count, first_sample_at, last_sample_at) SELECT host_id, sequence, received_at, sample_count, first_sample_at, last_sample_at FROM {Previous}");
        migrationBuilder.DropTable(name: Previous);
        migrationBuilder.CreateIndex(name: "IX_ingested_batches_received_at", table: Table, column: "received_at");
    }
}
