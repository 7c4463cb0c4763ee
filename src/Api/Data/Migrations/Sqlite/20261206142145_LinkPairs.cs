using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LinkPairs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "pair_id",
                table: "links",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "link_pairs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    spec = table.Column<string>(type: "TEXT", nullable: false),
                    generation = table.Column<long>(type: "INTEGER", nullable: false),
                    a_end_link_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    b_end_link_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_link_pairs", x => x.id);
                    table.ForeignKey(
                        name: "FK_link_pairs_links_a_end_link_id",
                        column: x => x.a_end_link_id,
                        principalTable: "links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_link_pairs_links_b_end_link_id",
                        column: x => x.b_end_link_id,
                        principalTable: "links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_link_pairs_a_end_link_id",
                table: "link_pairs",
                column: "a_end_link_id");

            migrationBuilder.CreateIndex(
                name: "IX_link_pairs_b_end_link_id",
                table: "link_pairs",
                column: "b_end_link_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "link_pairs");

            migrationBuilder.DropColumn(
                name: "pair_id",
                table: "links");
        }
    }
}
