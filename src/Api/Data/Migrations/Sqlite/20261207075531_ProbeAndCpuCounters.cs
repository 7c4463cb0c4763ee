using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProbeAndCpuCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "cpu_count",
                table: "samples_1m",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "cpu_percent_max",
                table: "samples_1m",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "cpu_percent_sum",
                table: "samples_1m",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "large_probe_loss_count",
                table: "samples_1m",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "large_probe_loss_percent_max",
                table: "samples_1m",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "large_probe_loss_percent_sum",
                table: "samples_1m",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "small_probe_loss_count",
                table: "samples_1m",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "small_probe_loss_percent_max",
                table: "samples_1m",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "small_probe_loss_percent_sum",
                table: "samples_1m",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "cpu_count",
                table: "samples_1h",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "cpu_percent_max",
                table: "samples_1h",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "cpu_percent_sum",
                table: "samples_1h",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "large_probe_loss_count",
                table: "samples_1h",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "large_probe_loss_percent_max",
                table: "samples_1h",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "large_probe_loss_percent_sum",
                table: "samples_1h",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "small_probe_loss_count",
                table: "samples_1h",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "small_probe_loss_percent_max",
                table: "samples_1h",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "small_probe_loss_percent_sum",
                table: "samples_1h",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "cpu_percent",
                table: "samples",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "large_probe_loss_percent",
                table: "samples",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "small_probe_loss_percent",
                table: "samples",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "cpu_count",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "cpu_percent_max",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "cpu_percent_sum",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_count",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_percent_max",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_percent_sum",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_count",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_percent_max",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_percent_sum",
                table: "samples_1m");

            migrationBuilder.DropColumn(
                name: "cpu_count",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "cpu_percent_max",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "cpu_percent_sum",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_count",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_percent_max",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_percent_sum",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_count",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_percent_max",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_percent_sum",
                table: "samples_1h");

            migrationBuilder.DropColumn(
                name: "cpu_percent",
                table: "samples");

            migrationBuilder.DropColumn(
                name: "large_probe_loss_percent",
                table: "samples");

            migrationBuilder.DropColumn(
                name: "small_probe_loss_percent",
                table: "samples");
        }
    }
}
