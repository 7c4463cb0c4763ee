using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Fleet.Api.Data.Migrations;

/// <summary>
/// Fleet's first schema, written by hand (the EF design-time package does not restore here) and portable: column
/// types come from CLR types, so the same operations build the SQLite and the PostgreSQL schema. The test
/// <c>MigrationSchemaTests</c> proves, on both providers, that this builds exactly what the model describes.
/// </summary>
[DbContext(typeof(FleetDbContext))]
[Migration("20260101000000_InitialSchema")]
public sealed class InitialSchema : Migration
{
    private static readonly string[] s_tables =
    [
        "agent_credentials", "host_labels", "members", "policy_revisions", "links", "hosts", "enrollment_tokens",
        "api_keys", "users", "audit_log", "data_protection_keys", "events", "samples", "samples_1m", "samples_1h", "ingested_batches",
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        CreateSecurityTables(migrationBuilder);
        CreateHostAndLinkTables(migrationBuilder);
        CreateTelemetryTables(migrationBuilder);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in s_tables)
        {
            migrationBuilder.DropTable(name: table);
        }
    }

    private static void CreateSecurityTables(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "users",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                user_name = table.Column<string>(maxLength: 64, nullable: false),
                password_hash = table.Column<string>(maxLength: 500, nullable: false),
                role = table.Column<string>(maxLength: 16, nullable: false),
                security_stamp = table.Column<string>(maxLength: 64, nullable: false),
                created_at = table.Column<DateTime>(nullable: false),
                disabled_at = table.Column<DateTime>(nullable: true),
                last_login_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_users", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_users_user_name", table: "users", column: "user_name", unique: true);

        migrationBuilder.CreateTable(
            name: "api_keys",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                name = table.Column<string>(maxLength: 100, nullable: false),
                role = table.Column<string>(maxLength: 16, nullable: false),
                secret_hash = table.Column<string>(maxLength: 64, nullable: false),
                prefix = table.Column<string>(maxLength: 16, nullable: false),
                created_at = table.Column<DateTime>(nullable: false),
                created_by = table.Column<string>(maxLength: 200, nullable: false),
                expires_at = table.Column<DateTime>(nullable: true),
                revoked_at = table.Column<DateTime>(nullable: true),
                last_used_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_api_keys", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_api_keys_secret_hash", table: "api_keys", column: "secret_hash", unique: true);

        migrationBuilder.CreateTable(
            name: "enrollment_tokens",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                description = table.Column<string>(maxLength: 200, nullable: true),
                secret_hash = table.Column<string>(maxLength: 64, nullable: false),
                prefix = table.Column<string>(maxLength: 16, nullable: false),
                created_at = table.Column<DateTime>(nullable: false),
                created_by = table.Column<string>(maxLength: 200, nullable: false),
                expires_at = table.Column<DateTime>(nullable: false),
                max_uses = table.Column<int>(nullable: false),
                use_count = table.Column<int>(nullable: false),
                revoked_at = table.Column<DateTime>(nullable: true),
                last_used_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_enrollment_tokens", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_enrollment_tokens_secret_hash", table: "enrollment_tokens", column: "secret_hash", unique: true);

        migrationBuilder.CreateTable(
            name: "audit_log",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                time = table.Column<DateTime>(nullable: false),
                actor = table.Column<string>(maxLength: 200, nullable: false),
                action = table.Column<string>(maxLength: 64, nullable: false),
                target_type = table.Column<string>(maxLength: 32, nullable: false),
                target_id = table.Column<string>(maxLength: 64, nullable: true),
                before = table.Column<string>(nullable: true),
                after = table.Column<string>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_audit_log", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_audit_log_target_type_target_id", table: "audit_log", columns: ["target_type", "target_id"]);
        migrationBuilder.CreateIndex(name: "IX_audit_log_time", table: "audit_log", column: "time");

        migrationBuilder.CreateTable(
            name: "data_protection_keys",
            columns: table => new
            {
                id = table.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                friendly_name = table.Column<string>(maxLength: 200, nullable: true),
                xml = table.Column<string>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_data_protection_keys", x => x.id));
    }

    private static void CreateHostAndLinkTables(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "hosts",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                name = table.Column<string>(maxLength: 200, nullable: false),
                hostname = table.Column<string>(maxLength: 253, nullable: false),
                agent_version = table.Column<string>(maxLength: 64, nullable: true),
                kernel_version = table.Column<string>(maxLength: 128, nullable: true),
                capabilities = table.Column<string>(nullable: true),
                interfaces = table.Column<string>(nullable: true),
                enrolled_at = table.Column<DateTime>(nullable: false),
                last_seen_at = table.Column<DateTime>(nullable: true),
                decommissioned_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_hosts", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_hosts_name", table: "hosts", column: "name");

        migrationBuilder.CreateTable(
            name: "host_labels",
            columns: table => new
            {
                host_id = table.Column<Guid>(nullable: false),
                key = table.Column<string>(maxLength: 63, nullable: false),
                value = table.Column<string>(maxLength: 200, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_host_labels", x => new { x.host_id, x.key });
                table.ForeignKey("FK_host_labels_hosts_host_id", x => x.host_id, "hosts", "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_host_labels_key_value", table: "host_labels", columns: ["key", "value"]);

        migrationBuilder.CreateTable(
            name: "agent_credentials",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                host_id = table.Column<Guid>(nullable: false),
                secret_hash = table.Column<string>(maxLength: 64, nullable: false),
                prefix = table.Column<string>(maxLength: 16, nullable: false),
                enrollment_token_id = table.Column<Guid>(nullable: true),
                created_at = table.Column<DateTime>(nullable: false),
                revoked_at = table.Column<DateTime>(nullable: true),
                last_used_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_agent_credentials", x => x.id);
                table.ForeignKey("FK_agent_credentials_enrollment_tokens_enrollment_token_id", x => x.enrollment_token_id, "enrollment_tokens", "id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_agent_credentials_hosts_host_id", x => x.host_id, "hosts", "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_agent_credentials_enrollment_token_id", table: "agent_credentials", column: "enrollment_token_id");
        migrationBuilder.CreateIndex(name: "IX_agent_credentials_host_id", table: "agent_credentials", column: "host_id");
        migrationBuilder.CreateIndex(name: "IX_agent_credentials_secret_hash", table: "agent_credentials", column: "secret_hash", unique: true);

        migrationBuilder.CreateTable(
            name: "links",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                host_id = table.Column<Guid>(nullable: false),
                name = table.Column<string>(maxLength: 15, nullable: false),
                kind = table.Column<string>(maxLength: 16, nullable: false),
                spec = table.Column<string>(nullable: false),
                desired_generation = table.Column<long>(nullable: false),
                observed_generation = table.Column<long>(nullable: false),
                phase = table.Column<string>(maxLength: 16, nullable: false),
                last_error = table.Column<string>(maxLength: 2000, nullable: true),
                phase_changed_at = table.Column<DateTime>(nullable: false),
                created_at = table.Column<DateTime>(nullable: false),
                updated_at = table.Column<DateTime>(nullable: false),
                deleted_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_links", x => x.id);
                table.ForeignKey("FK_links_hosts_host_id", x => x.host_id, "hosts", "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_links_host_id_name", table: "links", columns: ["host_id", "name"], unique: true, filter: "\"deleted_at\" IS NULL");

        migrationBuilder.CreateTable(
            name: "members",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                link_id = table.Column<Guid>(nullable: false),
                @interface = table.Column<string>(name: "interface", maxLength: 15, nullable: false),
                position = table.Column<int>(nullable: false),
                admin_state = table.Column<string>(maxLength: 16, nullable: false),
                rate_hint_bits_per_second = table.Column<long>(nullable: true),
                lag_hint_ms = table.Column<int>(nullable: true),
                weight = table.Column<double>(nullable: true),
                health = table.Column<string>(maxLength: 16, nullable: false),
                health_changed_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_members", x => x.id);
                table.ForeignKey("FK_members_links_link_id", x => x.link_id, "links", "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_members_link_id_interface", table: "members", columns: ["link_id", "interface"], unique: true);

        migrationBuilder.CreateTable(
            name: "policy_revisions",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                link_id = table.Column<Guid>(nullable: false),
                generation = table.Column<long>(nullable: false),
                spec = table.Column<string>(nullable: false),
                author = table.Column<string>(maxLength: 200, nullable: false),
                reason = table.Column<string>(maxLength: 500, nullable: true),
                created_at = table.Column<DateTime>(nullable: false),
                reverted_from_generation = table.Column<long>(nullable: true),
                outcome = table.Column<string>(maxLength: 16, nullable: false),
                outcome_message = table.Column<string>(maxLength: 2000, nullable: true),
                outcome_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_policy_revisions", x => x.id);
                table.ForeignKey("FK_policy_revisions_links_link_id", x => x.link_id, "links", "id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_policy_revisions_link_id_generation", table: "policy_revisions", columns: ["link_id", "generation"], unique: true);
    }

    private static void CreateTelemetryTables(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "events",
            columns: table => new
            {
                id = table.Column<Guid>(nullable: false),
                time = table.Column<DateTime>(nullable: false),
                host_id = table.Column<Guid>(nullable: false),
                link_id = table.Column<Guid>(nullable: true),
                member = table.Column<string>(maxLength: 15, nullable: true),
                kind = table.Column<string>(maxLength: 32, nullable: false),
                severity = table.Column<string>(maxLength: 16, nullable: false),
                message = table.Column<string>(maxLength: 2000, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_events", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_events_host_id_time", table: "events", columns: ["host_id", "time"]);
        migrationBuilder.CreateIndex(name: "IX_events_link_id_time", table: "events", columns: ["link_id", "time"]);
        migrationBuilder.CreateIndex(name: "IX_events_time", table: "events", column: "time");

        migrationBuilder.CreateTable(
            name: "ingested_batches",
            columns: table => new
            {
                host_id = table.Column<Guid>(nullable: false),
                sequence = table.Column<long>(nullable: false),
                received_at = table.Column<DateTime>(nullable: false),
                sample_count = table.Column<int>(nullable: false),
                first_sample_at = table.Column<DateTime>(nullable: true),
                last_sample_at = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_ingested_batches", x => new { x.host_id, x.sequence }));
        migrationBuilder.CreateIndex(name: "IX_ingested_batches_received_at", table: "ingested_batches", column: "received_at");

        migrationBuilder.CreateTable(
            name: "samples",
            columns: table => new
            {
                id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                link_id = table.Column<Guid>(nullable: false),
                member = table.Column<string>(maxLength: 15, nullable: false),
                time = table.Column<DateTime>(nullable: false),
                interval_ms = table.Column<int>(nullable: false),
                tx_bytes = table.Column<long>(nullable: false),
                rx_bytes = table.Column<long>(nullable: false),
                tx_packets = table.Column<long>(nullable: false),
                rx_packets = table.Column<long>(nullable: false),
                tx_drops = table.Column<long>(nullable: false),
                rx_drops = table.Column<long>(nullable: false),
                errors = table.Column<long>(nullable: false),
                reorder_depth = table.Column<int>(nullable: false),
                reorder_depth_max = table.Column<int>(nullable: false),
                rtt_ms = table.Column<double>(nullable: true),
                loss_percent = table.Column<double>(nullable: true),
                health = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_samples", x => x.id));
        migrationBuilder.CreateIndex(name: "IX_samples_link_id_time", table: "samples", columns: ["link_id", "time"]);
        migrationBuilder.CreateIndex(name: "IX_samples_time", table: "samples", column: "time");

        CreateRollupTable(migrationBuilder, "samples_1m");
        CreateRollupTable(migrationBuilder, "samples_1h");
    }

    private static void CreateRollupTable(MigrationBuilder migrationBuilder, string name)
    {
        migrationBuilder.CreateTable(
            name: name,
            columns: table => new
            {
                link_id = table.Column<Guid>(nullable: false),
                member = table.Column<string>(maxLength: 15, nullable: false),
                bucket_start = table.Column<DateTime>(nullable: false),
                sample_count = table.Column<int>(nullable: false),
                interval_ms_sum = table.Column<long>(nullable: false),
                tx_bytes = table.Column<long>(nullable: false),
                rx_bytes = table.Column<long>(nullable: false),
                tx_packets = table.Column<long>(nullable: false),
                rx_packets = table.Column<long>(nullable: false),
                tx_drops = table.Column<long>(nullable: false),
                rx_drops = table.Column<long>(nullable: false),
                errors = table.Column<long>(nullable: false),
                reorder_depth_sum = table.Column<long>(nullable: false),
                reorder_depth_max = table.Column<int>(nullable: false),
                rtt_ms_sum = table.Column<double>(nullable: false),
                rtt_ms_max = table.Column<double>(nullable: true),
                rtt_count = table.Column<int>(nullable: false),
                loss_percent_sum = table.Column<double>(nullable: false),
                loss_percent_max = table.Column<double>(nullable: true),
                loss_count = table.Column<int>(nullable: false),
                health_worst = table.Column<int>(nullable: false),
            },
            constraints: table => table.PrimaryKey($"PK_{name}", x => new { x.link_id, x.member, x.bucket_start }));
        migrationBuilder.CreateIndex(name: $"IX_{name}_bucket_start", table: name, column: "bucket_start");
        migrationBuilder.CreateIndex(name: $"IX_{name}_link_id_bucket_start", table: name, columns: ["link_id", "bucket_start"]);
    }
}
