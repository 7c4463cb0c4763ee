using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Fleet.Api.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    secret_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    target_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    target_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    before = table.Column<string>(type: "text", nullable: true),
                    after = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    xml = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "enrollment_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    description = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    secret_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    max_uses = table.Column<int>(type: "integer", nullable: false),
                    use_count = table.Column<int>(type: "integer", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrollment_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    host_id = table.Column<Guid>(type: "uuid", nullable: false),
                    link_id = table.Column<Guid>(type: "uuid", nullable: true),
                    member = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "hosts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    hostname = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    agent_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    kernel_version = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    capabilities = table.Column<string>(type: "text", nullable: true),
                    interfaces = table.Column<string>(type: "text", nullable: true),
                    enrolled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    decommissioned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hosts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ingested_batches",
                columns: table => new
                {
                    host_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sample_count = table.Column<int>(type: "integer", nullable: false),
                    first_sample_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_sample_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingested_batches", x => new { x.host_id, x.sequence });
                });

            migrationBuilder.CreateTable(
                name: "samples",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    link_id = table.Column<Guid>(type: "uuid", nullable: false),
                    member = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    time = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    interval_ms = table.Column<int>(type: "integer", nullable: false),
                    tx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    rx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    tx_packets = table.Column<long>(type: "bigint", nullable: false),
                    rx_packets = table.Column<long>(type: "bigint", nullable: false),
                    tx_drops = table.Column<long>(type: "bigint", nullable: false),
                    rx_drops = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    reorder_depth = table.Column<int>(type: "integer", nullable: false),
                    reorder_depth_max = table.Column<int>(type: "integer", nullable: false),
                    rtt_ms = table.Column<double>(type: "double precision", nullable: true),
                    loss_percent = table.Column<double>(type: "double precision", nullable: true),
                    health = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_samples", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "samples_1h",
                columns: table => new
                {
                    link_id = table.Column<Guid>(type: "uuid", nullable: false),
                    member = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    bucket_start = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sample_count = table.Column<int>(type: "integer", nullable: false),
                    interval_ms_sum = table.Column<long>(type: "bigint", nullable: false),
                    tx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    rx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    tx_packets = table.Column<long>(type: "bigint", nullable: false),
                    rx_packets = table.Column<long>(type: "bigint", nullable: false),
                    tx_drops = table.Column<long>(type: "bigint", nullable: false),
                    rx_drops = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    reorder_depth_sum = table.Column<long>(type: "bigint", nullable: false),
                    reorder_depth_max = table.Column<int>(type: "integer", nullable: false),
                    rtt_ms_sum = table.Column<double>(type: "double precision", nullable: false),
                    rtt_ms_max = table.Column<double>(type: "double precision", nullable: true),
                    rtt_count = table.Column<int>(type: "integer", nullable: false),
                    loss_percent_sum = table.Column<double>(type: "double precision", nullable: false),
                    loss_percent_max = table.Column<double>(type: "double precision", nullable: true),
                    loss_count = table.Column<int>(type: "integer", nullable: false),
                    health_worst = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_samples_1h", x => new { x.link_id, x.member, x.bucket_start });
                });

            migrationBuilder.CreateTable(
                name: "samples_1m",
                columns: table => new
                {
                    link_id = table.Column<Guid>(type: "uuid", nullable: false),
                    member = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    bucket_start = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    sample_count = table.Column<int>(type: "integer", nullable: false),
                    interval_ms_sum = table.Column<long>(type: "bigint", nullable: false),
                    tx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    rx_bytes = table.Column<long>(type: "bigint", nullable: false),
                    tx_packets = table.Column<long>(type: "bigint", nullable: false),
                    rx_packets = table.Column<long>(type: "bigint", nullable: false),
                    tx_drops = table.Column<long>(type: "bigint", nullable: false),
                    rx_drops = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    reorder_depth_sum = table.Column<long>(type: "bigint", nullable: false),
                    reorder_depth_max = table.Column<int>(type: "integer", nullable: false),
                    rtt_ms_sum = table.Column<double>(type: "double precision", nullable: false),
                    rtt_ms_max = table.Column<double>(type: "double precision", nullable: true),
                    rtt_count = table.Column<int>(type: "integer", nullable: false),
                    loss_percent_sum = table.Column<double>(type: "double precision", nullable: false),
                    loss_percent_max = table.Column<double>(type: "double precision", nullable: true),
                    loss_count = table.Column<int>(type: "integer", nullable: false),
                    health_worst = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_samples_1m", x => new { x.link_id, x.member, x.bucket_start });
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    security_stamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    disabled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_login_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "agent_credentials",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    host_id = table.Column<Guid>(type: "uuid", nullable: false),
                    secret_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    enrollment_token_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_credentials", x => x.id);
                    table.ForeignKey(
                        name: "FK_agent_credentials_enrollment_tokens_enrollment_token_id",
                        column: x => x.enrollment_token_id,
                        principalTable: "enrollment_tokens",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_agent_credentials_hosts_host_id",
                        column: x => x.host_id,
                        principalTable: "hosts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "host_labels",
                columns: table => new
                {
                    host_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    value = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_host_labels", x => new { x.host_id, x.key });
                    table.ForeignKey(
                        name: "FK_host_labels_hosts_host_id",
                        column: x => x.host_id,
                        principalTable: "hosts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "links",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    host_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    spec = table.Column<string>(type: "text", nullable: false),
                    desired_generation = table.Column<long>(type: "bigint", nullable: false),
                    observed_generation = table.Column<long>(type: "bigint", nullable: false),
                    phase = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    phase_changed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_links", x => x.id);
                    table.ForeignKey(
                        name: "FK_links_hosts_host_id",
                        column: x => x.host_id,
                        principalTable: "hosts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "members",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    link_id = table.Column<Guid>(type: "uuid", nullable: false),
                    @interface = table.Column<string>(name: "interface", type: "character varying(15)", maxLength: 15, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    admin_state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    rate_hint_bits_per_second = table.Column<long>(type: "bigint", nullable: true),
                    lag_hint_ms = table.Column<int>(type: "integer", nullable: true),
                    weight = table.Column<double>(type: "double precision", nullable: true),
                    health = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    health_changed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_members", x => x.id);
                    table.ForeignKey(
                        name: "FK_members_links_link_id",
                        column: x => x.link_id,
                        principalTable: "links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "policy_revisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    link_id = table.Column<Guid>(type: "uuid", nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    spec = table.Column<string>(type: "text", nullable: false),
                    author = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reverted_from_generation = table.Column<long>(type: "bigint", nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    outcome_message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    outcome_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_policy_revisions", x => x.id);
                    table.ForeignKey(
                        name: "FK_policy_revisions_links_link_id",
                        column: x => x.link_id,
                        principalTable: "links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agent_credentials_enrollment_token_id",
                table: "agent_credentials",
                column: "enrollment_token_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_credentials_host_id",
                table: "agent_credentials",
                column: "host_id");

            migrationBuilder.CreateIndex(
                name: "IX_agent_credentials_secret_hash",
                table: "agent_credentials",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_secret_hash",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_target_type_target_id",
                table: "audit_log",
                columns: new[] { "target_type", "target_id" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_time",
                table: "audit_log",
                column: "time");

            migrationBuilder.CreateIndex(
                name: "IX_enrollment_tokens_secret_hash",
                table: "enrollment_tokens",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_events_host_id_time",
                table: "events",
                columns: new[] { "host_id", "time" });

            migrationBuilder.CreateIndex(
                name: "IX_events_link_id_time",
                table: "events",
                columns: new[] { "link_id", "time" });

            migrationBuilder.CreateIndex(
                name: "IX_events_time",
                table: "events",
                column: "time");

            migrationBuilder.CreateIndex(
                name: "IX_host_labels_key_value",
                table: "host_labels",
                columns: new[] { "key", "value" });

            migrationBuilder.CreateIndex(
                name: "IX_hosts_name",
                table: "hosts",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "IX_ingested_batches_received_at",
                table: "ingested_batches",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "IX_links_host_id_name",
                table: "links",
                columns: new[] { "host_id", "name" },
                unique: true,
                filter: "\"deleted_at\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_members_link_id_interface",
                table: "members",
                columns: new[] { "link_id", "interface" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_policy_revisions_link_id_generation",
                table: "policy_revisions",
                columns: new[] { "link_id", "generation" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_samples_link_id_time",
                table: "samples",
                columns: new[] { "link_id", "time" });

            migrationBuilder.CreateIndex(
                name: "IX_samples_time",
                table: "samples",
                column: "time");

            migrationBuilder.CreateIndex(
                name: "IX_samples_1h_bucket_start",
                table: "samples_1h",
                column: "bucket_start");

            migrationBuilder.CreateIndex(
                name: "IX_samples_1h_link_id_bucket_start",
                table: "samples_1h",
                columns: new[] { "link_id", "bucket_start" });

            migrationBuilder.CreateIndex(
                name: "IX_samples_1m_bucket_start",
                table: "samples_1m",
                column: "bucket_start");

            migrationBuilder.CreateIndex(
                name: "IX_samples_1m_link_id_bucket_start",
                table: "samples_1m",
                columns: new[] { "link_id", "bucket_start" });

            migrationBuilder.CreateIndex(
                name: "IX_users_user_name",
                table: "users",
                column: "user_name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_credentials");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "host_labels");

            migrationBuilder.DropTable(
                name: "ingested_batches");

            migrationBuilder.DropTable(
                name: "members");

            migrationBuilder.DropTable(
                name: "policy_revisions");

            migrationBuilder.DropTable(
                name: "samples");

            migrationBuilder.DropTable(
                name: "samples_1h");

            migrationBuilder.DropTable(
                name: "samples_1m");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "enrollment_tokens");

            migrationBuilder.DropTable(
                name: "links");

            migrationBuilder.DropTable(
                name: "hosts");
        }
    }
}
