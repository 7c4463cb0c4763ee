using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <summary>
    /// Issue 21: a batch is identified by (host, agent queue, sequence), so an agent whose queue starts over is not
    /// taken for a resend of its old batches; <c>hosts.batch_queue_id</c> remembers the queue seen last. Issue 10:
    /// indexes for the event list filtered by host, link or kind in id order.
    /// </summary>
    public partial class BatchQueueIdsAndEventIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_ingested_batches",
                table: "ingested_batches");

            migrationBuilder.AddColumn<Guid>(
                name: "queue_id",
                table: "ingested_batches",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<Guid>(
                name: "batch_queue_id",
                table: "hosts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_ingested_batches",
                table: "ingested_batches",
                columns: new[] { "host_id", "queue_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_events_host_id_id",
                table: "events",
                columns: new[] { "host_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_events_kind_id",
                table: "events",
                columns: new[] { "kind", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_events_link_id_id",
                table: "events",
                columns: new[] { "link_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_ingested_batches",
                table: "ingested_batches");

            migrationBuilder.DropIndex(
                name: "IX_events_host_id_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "IX_events_kind_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "IX_events_link_id_id",
                table: "events");

            migrationBuilder.DropColumn(
                name: "queue_id",
                table: "ingested_batches");

            migrationBuilder.DropColumn(
                name: "batch_queue_id",
                table: "hosts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ingested_batches",
                table: "ingested_batches",
                columns: new[] { "host_id", "sequence" });
        }
    }
}
