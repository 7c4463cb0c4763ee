using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrafficClassSamplesAndMemberTiers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "idle_reason",
                table: "members",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tier",
                table: "members",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "class_samples",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    link_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    @class = table.Column<string>(name: "class", type: "TEXT", maxLength: 32, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    interval_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    tx_packets = table.Column<long>(type: "INTEGER", nullable: false),
                    tx_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicates_sent = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicate_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    fec_blocks = table.Column<long>(type: "INTEGER", nullable: false),
                    fec_parity_packets = table.Column<long>(type: "INTEGER", nullable: false),
                    fec_parity_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    drop_no_path = table.Column<long>(type: "INTEGER", nullable: false),
                    rx_packets = table.Column<long>(type: "INTEGER", nullable: false),
                    rx_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicates_dropped = table.Column<long>(type: "INTEGER", nullable: false),
                    fec_recovered = table.Column<long>(type: "INTEGER", nullable: false),
                    fec_lost = table.Column<long>(type: "INTEGER", nullable: false),
                    pinned_member = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_class_samples", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_class_samples_link_id_time",
                table: "class_samples",
                columns: new[] { "link_id", "time" });

            migrationBuilder.CreateIndex(
                name: "IX_class_samples_time",
                table: "class_samples",
                column: "time");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "class_samples");

            migrationBuilder.DropColumn(
                name: "idle_reason",
                table: "members");

            migrationBuilder.DropColumn(
                name: "tier",
                table: "members");
        }
    }
}
