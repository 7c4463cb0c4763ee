using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AggregatorSites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "aggregator_id",
                table: "links",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_links_aggregator_id",
                table: "links",
                column: "aggregator_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_links_aggregator_id",
                table: "links");

            migrationBuilder.DropColumn(
                name: "aggregator_id",
                table: "links");
        }
    }
}
