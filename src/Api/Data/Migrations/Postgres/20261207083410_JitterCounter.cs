using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class JitterCounter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "jitter_count",
                table: "samples_1m",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "jitter_ms_max",
                table: "samples_1m",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "jitter_ms_sum",
                table: "samples_1m",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "jitter_count",
                table: "samples_1h",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "jitter_ms_max",
                table: "samples_1h",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "jitter_ms_sum",
                table: "samples_1h",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "jitter_ms",
                table: "samples",
                type: "double precision",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "jitter_count",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "jitter_ms_max",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "jitter_ms_sum",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "jitter_count",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "jitter_ms_max",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "jitter_ms_sum",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "jitter_ms",
                table: "samples");
        }
    }
}
