using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SpeedTestPeerDirection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "peer_error",
                table: "speed_tests",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "peer_host_id",
                table: "speed_tests",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "peer_link_id",
                table: "speed_tests",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "peer_ordered_at",
                table: "speed_tests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "peer_result",
                table: "speed_tests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "peer_state",
                table: "speed_tests",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "peer_error",
                table: "speed_tests");

            migrationBuilder.DropColumn(
                name: "peer_host_id",
                table: "speed_tests");

            migrationBuilder.DropColumn(
                name: "peer_link_id",
                table: "speed_tests");

            migrationBuilder.DropColumn(
                name: "peer_ordered_at",
                table: "speed_tests");

            migrationBuilder.DropColumn(
                name: "peer_result",
                table: "speed_tests");

            migrationBuilder.DropColumn(
                name: "peer_state",
                table: "speed_tests");
        }
    }
}
