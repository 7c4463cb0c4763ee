using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_silences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    host_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    link_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    member = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true),
                    rule = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_silences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rule = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    host_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    host_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    link_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    link_name = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true),
                    member = table.Column<string>(type: "TEXT", maxLength: 15, nullable: true),
                    summary = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    fired_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    resolved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    silenced_by = table.Column<Guid>(type: "TEXT", nullable: true),
                    acknowledged_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    acknowledged_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alerts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    alert_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    receiver = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_notifications", x => x.id);
                    table.ForeignKey(
                        name: "FK_alert_notifications_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_notifications_alert_id",
                table: "alert_notifications",
                column: "alert_id");

            migrationBuilder.CreateIndex(
                name: "IX_alert_notifications_state_next_attempt_at",
                table: "alert_notifications",
                columns: new[] { "state", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "IX_alert_silences_ends_at",
                table: "alert_silences",
                column: "ends_at");

            migrationBuilder.CreateIndex(
                name: "IX_alerts_host_id",
                table: "alerts",
                column: "host_id");

            migrationBuilder.CreateIndex(
                name: "IX_alerts_status_id",
                table: "alerts",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_alerts_subject",
                table: "alerts",
                column: "subject",
                unique: true,
                filter: "\"status\" = 'Firing'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_notifications");

            migrationBuilder.DropTable(
                name: "alert_silences");

            migrationBuilder.DropTable(
                name: "alerts");
        }
    }
}
