using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Postgres
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
                type: "uuid",
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
