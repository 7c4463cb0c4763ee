using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertReceivers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "last_attempt_at",
                table: "alert_notifications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "alert_receivers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    protected_secret = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    min_severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_receivers", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_notifications_receiver_id",
                table: "alert_notifications",
                columns: new[] { "receiver", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_alert_receivers_name",
                table: "alert_receivers",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_receivers");

            migrationBuilder.DropIndex(
                name: "IX_alert_notifications_receiver_id",
                table: "alert_notifications");

            migrationBuilder.DropColumn(
                name: "last_attempt_at",
                table: "alert_notifications");
        }
    }
}
