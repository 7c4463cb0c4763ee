using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Fleet.Api.Data.Migrations;

/// <summary>
/// Indexes for <c>GET /api/v1/events</c> filtered by host, link or kind, newest first by id (issue 10: a kind filter
/// scanned the whole table, a host filter walked the primary key). Written by hand like the first migration;
/// <c>MigrationSchemaTests</c> proves the result equals the model on both providers.
/// </summary>
[DbContext(typeof(FleetDbContext))]
[Migration("20261206000000_EventListIndexes")]
public sealed class EventListIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateIndex(name: "IX_events_host_id_id", table: "events", columns: ["host_id", "id"]);
        migrationBuilder.CreateIndex(name: "IX_events_link_id_id", table: "events", columns: ["link_id", "id"]);
        migrationBuilder.CreateIndex(name: "IX_events_kind_id", table: "events", columns: ["kind", "id"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_events_host_id_id", table: "events");
        migrationBuilder.DropIndex(name: "IX_events_link_id_id", table: "events");
        migrationBuilder.DropIndex(name: "IX_events_kind_id", table: "events");
    }
}
