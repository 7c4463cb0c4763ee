using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RemovalAcknowledged : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "removal_acknowledged_at",
                table: "links",
                type: "TEXT",
                nullable: true);

            // Links deleted before the column: their removal is not owed again (their agents had every hello since).
            migrationBuilder.Sql("UPDATE links SET removal_acknowledged_at = deleted_at WHERE deleted_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_links_removals_owed",
                table: "links",
                column: "host_id",
                filter: "\"deleted_at\" IS NOT NULL AND \"removal_acknowledged_at\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_links_removals_owed",
                table: "links");

            migrationBuilder.DropColumn(
                name: "removal_acknowledged_at",
                table: "links");
        }
    }
}
