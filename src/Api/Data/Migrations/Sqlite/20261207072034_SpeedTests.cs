using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SpeedTests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "speed_tests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    link_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    host_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    requested_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    max_mbit_per_path = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    result = table.Column<string>(type: "TEXT", nullable: true),
                    interface_speeds = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_speed_tests", x => x.id);
                    table.ForeignKey(
                        name: "FK_speed_tests_links_link_id",
                        column: x => x.link_id,
                        principalTable: "links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_speed_tests_link_id",
                table: "speed_tests",
                column: "link_id",
                unique: true,
                filter: "\"state\" = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "IX_speed_tests_link_id_id",
                table: "speed_tests",
                columns: new[] { "link_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "speed_tests");
        }
    }
}
