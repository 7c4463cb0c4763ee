namespace Fleet.Api.Tests.Data;

/// <summary>
/// Databases as Fleet's first, hand-written migration (<c>20260101000000_InitialSchema</c>, EF Core 10.0.14) built
/// them, one row or two in every table: the starting point of <see cref="LegacyDatabaseUpgradeTests"/>. Captured, not
/// written: <c>fleet-api</c> of that version migrated an empty database and stored the rows through its own model
/// (so GUIDs, timestamps, enums and JSON are in the exact form it wrote), then the engine dumped it:
/// <c>sqlite3 fleet.db .dump</c> and <c>pg_dump --no-owner --no-privileges --column-inserts</c> (psql commands,
/// comments and session settings removed). One value was replaced after capture: the data-protection key's XML,
/// stored as a placeholder, is a well-formed key (expired by now) like those the Api writes, so the Api reads it
/// without complaint. Do not edit these otherwise: they stand for databases already in the field.
/// </summary>
internal static class InitialSchemaDatabase
{
    /// <summary>The migration id every later migration set must keep as its first (it is in their history tables).</summary>
    public const string MigrationId = "20260101000000_InitialSchema";

    public const string Sqlite = """"
        PRAGMA foreign_keys=OFF;
        BEGIN TRANSACTION;
        CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" (
            "Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY,
            "Timestamp" TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
            "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
            "ProductVersion" TEXT NOT NULL
        );
        INSERT INTO __EFMigrationsHistory VALUES('20260101000000_InitialSchema','10.0.14');
        CREATE TABLE IF NOT EXISTS "users" (
            "id" TEXT NOT NULL CONSTRAINT "PK_users" PRIMARY KEY,
            "user_name" TEXT NOT NULL,
            "password_hash" TEXT NOT NULL,
            "role" TEXT NOT NULL,
            "security_stamp" TEXT NOT NULL,
            "created_at" TEXT NOT NULL,
            "disabled_at" TEXT NULL,
            "last_login_at" TEXT NULL
        );
        INSERT INTO users VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A91','admin','AQAAAAIAAYagAAAAEHash','Admin','STAMP-1','2026-01-03 05:06:07.123456',NULL,'2026-03-04 05:06:07.123456');
        CREATE TABLE IF NOT EXISTS "api_keys" (
            "id" TEXT NOT NULL CONSTRAINT "PK_api_keys" PRIMARY KEY,
            "name" TEXT NOT NULL,
            "role" TEXT NOT NULL,
            "secret_hash" TEXT NOT NULL,
            "prefix" TEXT NOT NULL,
            "created_at" TEXT NOT NULL,
            "created_by" TEXT NOT NULL,
            "expires_at" TEXT NULL,
            "revoked_at" TEXT NULL,
            "last_used_at" TEXT NULL
        );
        INSERT INTO api_keys VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A92','ci','Operator','aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','flk_abcd','2026-02-27 05:06:07.123456','user:admin','2026-12-29 05:06:07.123456',NULL,NULL);
        CREATE TABLE IF NOT EXISTS "enrollment_tokens" (
            "id" TEXT NOT NULL CONSTRAINT "PK_enrollment_tokens" PRIMARY KEY,
            "description" TEXT NULL,
            "secret_hash" TEXT NOT NULL,
            "prefix" TEXT NOT NULL,
            "created_at" TEXT NOT NULL,
            "created_by" TEXT NOT NULL,
            "expires_at" TEXT NOT NULL,
            "max_uses" INTEGER NOT NULL,
            "use_count" INTEGER NOT NULL,
            "revoked_at" TEXT NULL,
            "last_used_at" TEXT NULL
        );
        INSERT INTO enrollment_tokens VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5D','lyon batch','bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb','fle_abcd','2026-02-01 05:06:07.123456','user:admin','2026-03-03 05:06:07.123456',10,1,NULL,'2026-02-02 05:06:07.123456');
        CREATE TABLE IF NOT EXISTS "audit_log" (
            "id" TEXT NOT NULL CONSTRAINT "PK_audit_log" PRIMARY KEY,
            "time" TEXT NOT NULL,
            "actor" TEXT NOT NULL,
            "action" TEXT NOT NULL,
            "target_type" TEXT NOT NULL,
            "target_id" TEXT NULL,
            "before" TEXT NULL,
            "after" TEXT NULL
        );
        INSERT INTO audit_log VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A94','2026-03-04 05:06:07.123456','user:admin','link.update','link','0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c','{"generation":2}','{"generation":3}');
        CREATE TABLE IF NOT EXISTS "data_protection_keys" (
            "id" INTEGER NOT NULL CONSTRAINT "PK_data_protection_keys" PRIMARY KEY AUTOINCREMENT,
            "friendly_name" TEXT NULL,
            "xml" TEXT NOT NULL
        );
        INSERT INTO data_protection_keys VALUES(1,'key-1','<key id="0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4aa1" version="1"><creationDate>2026-02-02T05:06:07.1234560Z</creationDate><activationDate>2026-02-02T05:06:07.1234560Z</activationDate><expirationDate>2026-05-03T05:06:07.1234560Z</expirationDate><descriptor deserializerType="Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60"><descriptor><encryption algorithm="AES_256_CBC" /><validation algorithm="HMACSHA256" /><masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><value>Q2qTX1VPJIiXYifXh6VoS4zHNf5if6wjIW0NGxRdIpZwYEtJtD/iYYCic7cxLDHMaydniJZxUOpPTnSRzeNCoQ==</value></masterKey></descriptor></descriptor></key>');
        CREATE TABLE IF NOT EXISTS "hosts" (
            "id" TEXT NOT NULL CONSTRAINT "PK_hosts" PRIMARY KEY,
            "name" TEXT NOT NULL,
            "hostname" TEXT NOT NULL,
            "agent_version" TEXT NULL,
            "kernel_version" TEXT NULL,
            "capabilities" TEXT NULL,
            "interfaces" TEXT NULL,
            "enrolled_at" TEXT NOT NULL,
            "last_seen_at" TEXT NULL,
            "decommissioned_at" TEXT NULL
        );
        INSERT INTO hosts VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','edge-lyon-01','edge-lyon-01.example','0.1.0','6.1.0-28-amd64','{"bonding":true,"teql":false,"mptcp":true,"tun":true}','[{"name":"eth1","kind":"ether","macAddress":"02:00:00:00:00:01","mtu":1500,"up":true,"addresses":["10.0.1.2/24"]}]','2026-02-02 05:06:07.123456','2026-03-04 05:06:07.123456',NULL);
        CREATE TABLE IF NOT EXISTS "host_labels" (
            "host_id" TEXT NOT NULL,
            "key" TEXT NOT NULL,
            "value" TEXT NOT NULL,
            CONSTRAINT "PK_host_labels" PRIMARY KEY ("host_id", "key"),
            CONSTRAINT "FK_host_labels_hosts_host_id" FOREIGN KEY ("host_id") REFERENCES "hosts" ("id") ON DELETE CASCADE
        );
        INSERT INTO host_labels VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','site','lyon — Rhône');
        CREATE TABLE IF NOT EXISTS "agent_credentials" (
            "id" TEXT NOT NULL CONSTRAINT "PK_agent_credentials" PRIMARY KEY,
            "host_id" TEXT NOT NULL,
            "secret_hash" TEXT NOT NULL,
            "prefix" TEXT NOT NULL,
            "enrollment_token_id" TEXT NULL,
            "created_at" TEXT NOT NULL,
            "revoked_at" TEXT NULL,
            "last_used_at" TEXT NULL,
            CONSTRAINT "FK_agent_credentials_enrollment_tokens_enrollment_token_id" FOREIGN KEY ("enrollment_token_id") REFERENCES "enrollment_tokens" ("id") ON DELETE SET NULL,
            CONSTRAINT "FK_agent_credentials_hosts_host_id" FOREIGN KEY ("host_id") REFERENCES "hosts" ("id") ON DELETE CASCADE
        );
        INSERT INTO agent_credentials VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A93','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc','fla_abcd','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5D','2026-02-02 05:06:07.123456',NULL,'2026-03-04 05:06:07.123456');
        CREATE TABLE IF NOT EXISTS "links" (
            "id" TEXT NOT NULL CONSTRAINT "PK_links" PRIMARY KEY,
            "host_id" TEXT NOT NULL,
            "name" TEXT NOT NULL,
            "kind" TEXT NOT NULL,
            "spec" TEXT NOT NULL,
            "desired_generation" INTEGER NOT NULL,
            "observed_generation" INTEGER NOT NULL,
            "phase" TEXT NOT NULL,
            "last_error" TEXT NULL,
            "phase_changed_at" TEXT NOT NULL,
            "created_at" TEXT NOT NULL,
            "updated_at" TEXT NOT NULL,
            "deleted_at" TEXT NULL,
            CONSTRAINT "FK_links_hosts_host_id" FOREIGN KEY ("host_id") REFERENCES "hosts" ("id") ON DELETE CASCADE
        );
        INSERT INTO links VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','bond0','Bond','{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}',3,2,'Applying','carrier lost on eth2','2026-03-04 05:05:07.123456','2026-03-02 05:06:07.123456','2026-03-04 04:06:07.123456',NULL);
        INSERT INTO links VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A63','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','bond0','Bond','{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}',1,1,'Pending',NULL,'2026-02-23 05:06:07.123456','2026-02-22 05:06:07.123456','2026-02-23 05:06:07.123456','2026-02-23 05:06:07.123456');
        CREATE TABLE IF NOT EXISTS "members" (
            "id" TEXT NOT NULL CONSTRAINT "PK_members" PRIMARY KEY,
            "link_id" TEXT NOT NULL,
            "interface" TEXT NOT NULL,
            "position" INTEGER NOT NULL,
            "admin_state" TEXT NOT NULL,
            "rate_hint_bits_per_second" INTEGER NULL,
            "lag_hint_ms" INTEGER NULL,
            "weight" REAL NULL,
            "health" TEXT NOT NULL,
            "health_changed_at" TEXT NULL,
            CONSTRAINT "FK_members_links_link_id" FOREIGN KEY ("link_id") REFERENCES "links" ("id") ON DELETE CASCADE
        );
        INSERT INTO members VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A61','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth1',0,'Active',1000000000,12,1.5,'Up','2026-03-04 05:06:07.123456');
        INSERT INTO members VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A62','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth2',1,'Backup',NULL,NULL,NULL,'Unknown',NULL);
        CREATE TABLE IF NOT EXISTS "policy_revisions" (
            "id" TEXT NOT NULL CONSTRAINT "PK_policy_revisions" PRIMARY KEY,
            "link_id" TEXT NOT NULL,
            "generation" INTEGER NOT NULL,
            "spec" TEXT NOT NULL,
            "author" TEXT NOT NULL,
            "reason" TEXT NULL,
            "created_at" TEXT NOT NULL,
            "reverted_from_generation" INTEGER NULL,
            "outcome" TEXT NOT NULL,
            "outcome_message" TEXT NULL,
            "outcome_at" TEXT NULL,
            CONSTRAINT "FK_policy_revisions_links_link_id" FOREIGN KEY ("link_id") REFERENCES "links" ("id") ON DELETE CASCADE
        );
        INSERT INTO policy_revisions VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A71','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C',3,'{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}','user:admin','primary moved','2026-03-04 04:06:07.123456',1,'Pending',NULL,NULL);
        CREATE TABLE IF NOT EXISTS "events" (
            "id" TEXT NOT NULL CONSTRAINT "PK_events" PRIMARY KEY,
            "time" TEXT NOT NULL,
            "host_id" TEXT NOT NULL,
            "link_id" TEXT NULL,
            "member" TEXT NULL,
            "kind" TEXT NOT NULL,
            "severity" TEXT NOT NULL,
            "message" TEXT NOT NULL
        );
        INSERT INTO events VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A81','2026-03-04 05:06:07.123456','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B','0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth2','MemberDown','Warning','eth2 lost carrier');
        CREATE TABLE IF NOT EXISTS "ingested_batches" (
            "host_id" TEXT NOT NULL,
            "sequence" INTEGER NOT NULL,
            "received_at" TEXT NOT NULL,
            "sample_count" INTEGER NOT NULL,
            "first_sample_at" TEXT NULL,
            "last_sample_at" TEXT NULL,
            CONSTRAINT "PK_ingested_batches" PRIMARY KEY ("host_id", "sequence")
        );
        INSERT INTO ingested_batches VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B',42,'2026-03-04 05:06:07.123456',2,'2026-03-04 05:06:07.123456','2026-03-04 05:06:07.123456');
        CREATE TABLE IF NOT EXISTS "samples" (
            "id" INTEGER NOT NULL CONSTRAINT "PK_samples" PRIMARY KEY AUTOINCREMENT,
            "link_id" TEXT NOT NULL,
            "member" TEXT NOT NULL,
            "time" TEXT NOT NULL,
            "interval_ms" INTEGER NOT NULL,
            "tx_bytes" INTEGER NOT NULL,
            "rx_bytes" INTEGER NOT NULL,
            "tx_packets" INTEGER NOT NULL,
            "rx_packets" INTEGER NOT NULL,
            "tx_drops" INTEGER NOT NULL,
            "rx_drops" INTEGER NOT NULL,
            "errors" INTEGER NOT NULL,
            "reorder_depth" INTEGER NOT NULL,
            "reorder_depth_max" INTEGER NOT NULL,
            "rtt_ms" REAL NULL,
            "loss_percent" REAL NULL,
            "health" INTEGER NOT NULL
        );
        INSERT INTO samples VALUES(1,'0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth1','2026-03-04 05:06:07.123456',1000,9000000000,8000000001,7000000,6000000,5,4,3,2,17,12.25,0.5,1);
        INSERT INTO samples VALUES(2,'0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth2','2026-03-04 05:06:07.123456',1000,0,0,0,0,0,0,0,0,0,NULL,NULL,0);
        CREATE TABLE IF NOT EXISTS "samples_1m" (
            "link_id" TEXT NOT NULL,
            "member" TEXT NOT NULL,
            "bucket_start" TEXT NOT NULL,
            "sample_count" INTEGER NOT NULL,
            "interval_ms_sum" INTEGER NOT NULL,
            "tx_bytes" INTEGER NOT NULL,
            "rx_bytes" INTEGER NOT NULL,
            "tx_packets" INTEGER NOT NULL,
            "rx_packets" INTEGER NOT NULL,
            "tx_drops" INTEGER NOT NULL,
            "rx_drops" INTEGER NOT NULL,
            "errors" INTEGER NOT NULL,
            "reorder_depth_sum" INTEGER NOT NULL,
            "reorder_depth_max" INTEGER NOT NULL,
            "rtt_ms_sum" REAL NOT NULL,
            "rtt_ms_max" REAL NULL,
            "rtt_count" INTEGER NOT NULL,
            "loss_percent_sum" REAL NOT NULL,
            "loss_percent_max" REAL NULL,
            "loss_count" INTEGER NOT NULL,
            "health_worst" INTEGER NOT NULL,
            CONSTRAINT "PK_samples_1m" PRIMARY KEY ("link_id", "member", "bucket_start")
        );
        INSERT INTO samples_1m VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth1','2026-03-04 05:06:00',60,60000,1,2,3,4,5,6,7,8,9,735.5,20.125,60,1.5,0.75,60,1);
        CREATE TABLE IF NOT EXISTS "samples_1h" (
            "link_id" TEXT NOT NULL,
            "member" TEXT NOT NULL,
            "bucket_start" TEXT NOT NULL,
            "sample_count" INTEGER NOT NULL,
            "interval_ms_sum" INTEGER NOT NULL,
            "tx_bytes" INTEGER NOT NULL,
            "rx_bytes" INTEGER NOT NULL,
            "tx_packets" INTEGER NOT NULL,
            "rx_packets" INTEGER NOT NULL,
            "tx_drops" INTEGER NOT NULL,
            "rx_drops" INTEGER NOT NULL,
            "errors" INTEGER NOT NULL,
            "reorder_depth_sum" INTEGER NOT NULL,
            "reorder_depth_max" INTEGER NOT NULL,
            "rtt_ms_sum" REAL NOT NULL,
            "rtt_ms_max" REAL NULL,
            "rtt_count" INTEGER NOT NULL,
            "loss_percent_sum" REAL NOT NULL,
            "loss_percent_max" REAL NULL,
            "loss_count" INTEGER NOT NULL,
            "health_worst" INTEGER NOT NULL,
            CONSTRAINT "PK_samples_1h" PRIMARY KEY ("link_id", "member", "bucket_start")
        );
        INSERT INTO samples_1h VALUES('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5C','eth1','2026-03-04 05:00:00',3600,3600000,0,0,0,0,0,0,0,0,0,0.0,NULL,0,0.0,NULL,0,1);
        DELETE FROM sqlite_sequence;
        INSERT INTO sqlite_sequence VALUES('data_protection_keys',1);
        INSERT INTO sqlite_sequence VALUES('samples',2);
        CREATE UNIQUE INDEX "IX_users_user_name" ON "users" ("user_name");
        CREATE UNIQUE INDEX "IX_api_keys_secret_hash" ON "api_keys" ("secret_hash");
        CREATE UNIQUE INDEX "IX_enrollment_tokens_secret_hash" ON "enrollment_tokens" ("secret_hash");
        CREATE INDEX "IX_audit_log_target_type_target_id" ON "audit_log" ("target_type", "target_id");
        CREATE INDEX "IX_audit_log_time" ON "audit_log" ("time");
        CREATE INDEX "IX_hosts_name" ON "hosts" ("name");
        CREATE INDEX "IX_host_labels_key_value" ON "host_labels" ("key", "value");
        CREATE INDEX "IX_agent_credentials_enrollment_token_id" ON "agent_credentials" ("enrollment_token_id");
        CREATE INDEX "IX_agent_credentials_host_id" ON "agent_credentials" ("host_id");
        CREATE UNIQUE INDEX "IX_agent_credentials_secret_hash" ON "agent_credentials" ("secret_hash");
        CREATE UNIQUE INDEX "IX_links_host_id_name" ON "links" ("host_id", "name") WHERE "deleted_at" IS NULL;
        CREATE UNIQUE INDEX "IX_members_link_id_interface" ON "members" ("link_id", "interface");
        CREATE UNIQUE INDEX "IX_policy_revisions_link_id_generation" ON "policy_revisions" ("link_id", "generation");
        CREATE INDEX "IX_events_host_id_time" ON "events" ("host_id", "time");
        CREATE INDEX "IX_events_link_id_time" ON "events" ("link_id", "time");
        CREATE INDEX "IX_events_time" ON "events" ("time");
        CREATE INDEX "IX_ingested_batches_received_at" ON "ingested_batches" ("received_at");
        CREATE INDEX "IX_samples_link_id_time" ON "samples" ("link_id", "time");
        CREATE INDEX "IX_samples_time" ON "samples" ("time");
        CREATE INDEX "IX_samples_1m_bucket_start" ON "samples_1m" ("bucket_start");
        CREATE INDEX "IX_samples_1m_link_id_bucket_start" ON "samples_1m" ("link_id", "bucket_start");
        CREATE INDEX "IX_samples_1h_bucket_start" ON "samples_1h" ("bucket_start");
        CREATE INDEX "IX_samples_1h_link_id_bucket_start" ON "samples_1h" ("link_id", "bucket_start");
        COMMIT;
        """";

    public const string Postgres = """"
        CREATE TABLE public."__EFMigrationsHistory" (
            "MigrationId" character varying(150) NOT NULL,
            "ProductVersion" character varying(32) NOT NULL
        );

        CREATE TABLE public.agent_credentials (
            id uuid NOT NULL,
            host_id uuid NOT NULL,
            secret_hash character varying(64) NOT NULL,
            prefix character varying(16) NOT NULL,
            enrollment_token_id uuid,
            created_at timestamp with time zone NOT NULL,
            revoked_at timestamp with time zone,
            last_used_at timestamp with time zone
        );

        CREATE TABLE public.api_keys (
            id uuid NOT NULL,
            name character varying(100) NOT NULL,
            role character varying(16) NOT NULL,
            secret_hash character varying(64) NOT NULL,
            prefix character varying(16) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            created_by character varying(200) NOT NULL,
            expires_at timestamp with time zone,
            revoked_at timestamp with time zone,
            last_used_at timestamp with time zone
        );

        CREATE TABLE public.audit_log (
            id uuid NOT NULL,
            "time" timestamp with time zone NOT NULL,
            actor character varying(200) NOT NULL,
            action character varying(64) NOT NULL,
            target_type character varying(32) NOT NULL,
            target_id character varying(64),
            before text,
            after text
        );

        CREATE TABLE public.data_protection_keys (
            id integer NOT NULL,
            friendly_name character varying(200),
            xml text NOT NULL
        );

        ALTER TABLE public.data_protection_keys ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
            SEQUENCE NAME public.data_protection_keys_id_seq
            START WITH 1
            INCREMENT BY 1
            NO MINVALUE
            NO MAXVALUE
            CACHE 1
        );

        CREATE TABLE public.enrollment_tokens (
            id uuid NOT NULL,
            description character varying(200),
            secret_hash character varying(64) NOT NULL,
            prefix character varying(16) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            created_by character varying(200) NOT NULL,
            expires_at timestamp with time zone NOT NULL,
            max_uses integer NOT NULL,
            use_count integer NOT NULL,
            revoked_at timestamp with time zone,
            last_used_at timestamp with time zone
        );

        CREATE TABLE public.events (
            id uuid NOT NULL,
            "time" timestamp with time zone NOT NULL,
            host_id uuid NOT NULL,
            link_id uuid,
            member character varying(15),
            kind character varying(32) NOT NULL,
            severity character varying(16) NOT NULL,
            message character varying(2000) NOT NULL
        );

        CREATE TABLE public.host_labels (
            host_id uuid NOT NULL,
            key character varying(63) NOT NULL,
            value character varying(200) NOT NULL
        );

        CREATE TABLE public.hosts (
            id uuid NOT NULL,
            name character varying(200) NOT NULL,
            hostname character varying(253) NOT NULL,
            agent_version character varying(64),
            kernel_version character varying(128),
            capabilities text,
            interfaces text,
            enrolled_at timestamp with time zone NOT NULL,
            last_seen_at timestamp with time zone,
            decommissioned_at timestamp with time zone
        );

        CREATE TABLE public.ingested_batches (
            host_id uuid NOT NULL,
            sequence bigint NOT NULL,
            received_at timestamp with time zone NOT NULL,
            sample_count integer NOT NULL,
            first_sample_at timestamp with time zone,
            last_sample_at timestamp with time zone
        );

        CREATE TABLE public.links (
            id uuid NOT NULL,
            host_id uuid NOT NULL,
            name character varying(15) NOT NULL,
            kind character varying(16) NOT NULL,
            spec text NOT NULL,
            desired_generation bigint NOT NULL,
            observed_generation bigint NOT NULL,
            phase character varying(16) NOT NULL,
            last_error character varying(2000),
            phase_changed_at timestamp with time zone NOT NULL,
            created_at timestamp with time zone NOT NULL,
            updated_at timestamp with time zone NOT NULL,
            deleted_at timestamp with time zone
        );

        CREATE TABLE public.members (
            id uuid NOT NULL,
            link_id uuid NOT NULL,
            interface character varying(15) NOT NULL,
            "position" integer NOT NULL,
            admin_state character varying(16) NOT NULL,
            rate_hint_bits_per_second bigint,
            lag_hint_ms integer,
            weight double precision,
            health character varying(16) NOT NULL,
            health_changed_at timestamp with time zone
        );

        CREATE TABLE public.policy_revisions (
            id uuid NOT NULL,
            link_id uuid NOT NULL,
            generation bigint NOT NULL,
            spec text NOT NULL,
            author character varying(200) NOT NULL,
            reason character varying(500),
            created_at timestamp with time zone NOT NULL,
            reverted_from_generation bigint,
            outcome character varying(16) NOT NULL,
            outcome_message character varying(2000),
            outcome_at timestamp with time zone
        );

        CREATE TABLE public.samples (
            id bigint NOT NULL,
            link_id uuid NOT NULL,
            member character varying(15) NOT NULL,
            "time" timestamp with time zone NOT NULL,
            interval_ms integer NOT NULL,
            tx_bytes bigint NOT NULL,
            rx_bytes bigint NOT NULL,
            tx_packets bigint NOT NULL,
            rx_packets bigint NOT NULL,
            tx_drops bigint NOT NULL,
            rx_drops bigint NOT NULL,
            errors bigint NOT NULL,
            reorder_depth integer NOT NULL,
            reorder_depth_max integer NOT NULL,
            rtt_ms double precision,
            loss_percent double precision,
            health integer NOT NULL
        );

        CREATE TABLE public.samples_1h (
            link_id uuid NOT NULL,
            member character varying(15) NOT NULL,
            bucket_start timestamp with time zone NOT NULL,
            sample_count integer NOT NULL,
            interval_ms_sum bigint NOT NULL,
            tx_bytes bigint NOT NULL,
            rx_bytes bigint NOT NULL,
            tx_packets bigint NOT NULL,
            rx_packets bigint NOT NULL,
            tx_drops bigint NOT NULL,
            rx_drops bigint NOT NULL,
            errors bigint NOT NULL,
            reorder_depth_sum bigint NOT NULL,
            reorder_depth_max integer NOT NULL,
            rtt_ms_sum double precision NOT NULL,
            rtt_ms_max double precision,
            rtt_count integer NOT NULL,
            loss_percent_sum double precision NOT NULL,
            loss_percent_max double precision,
            loss_count integer NOT NULL,
            health_worst integer NOT NULL
        );

        CREATE TABLE public.samples_1m (
            link_id uuid NOT NULL,
            member character varying(15) NOT NULL,
            bucket_start timestamp with time zone NOT NULL,
            sample_count integer NOT NULL,
            interval_ms_sum bigint NOT NULL,
            tx_bytes bigint NOT NULL,
            rx_bytes bigint NOT NULL,
            tx_packets bigint NOT NULL,
            rx_packets bigint NOT NULL,
            tx_drops bigint NOT NULL,
            rx_drops bigint NOT NULL,
            errors bigint NOT NULL,
            reorder_depth_sum bigint NOT NULL,
            reorder_depth_max integer NOT NULL,
            rtt_ms_sum double precision NOT NULL,
            rtt_ms_max double precision,
            rtt_count integer NOT NULL,
            loss_percent_sum double precision NOT NULL,
            loss_percent_max double precision,
            loss_count integer NOT NULL,
            health_worst integer NOT NULL
        );

        ALTER TABLE public.samples ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
            SEQUENCE NAME public.samples_id_seq
            START WITH 1
            INCREMENT BY 1
            NO MINVALUE
            NO MAXVALUE
            CACHE 1
        );

        CREATE TABLE public.users (
            id uuid NOT NULL,
            user_name character varying(64) NOT NULL,
            password_hash character varying(500) NOT NULL,
            role character varying(16) NOT NULL,
            security_stamp character varying(64) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            disabled_at timestamp with time zone,
            last_login_at timestamp with time zone
        );

        INSERT INTO public."__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('20260101000000_InitialSchema', '10.0.14');

        INSERT INTO public.agent_credentials (id, host_id, secret_hash, prefix, enrollment_token_id, created_at, revoked_at, last_used_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a93', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 'fla_abcd', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d', '2026-02-02 05:06:07.123456+00', NULL, '2026-03-04 05:06:07.123456+00');

        INSERT INTO public.api_keys (id, name, role, secret_hash, prefix, created_at, created_by, expires_at, revoked_at, last_used_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a92', 'ci', 'Operator', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'flk_abcd', '2026-02-27 05:06:07.123456+00', 'user:admin', '2026-12-29 05:06:07.123456+00', NULL, NULL);

        INSERT INTO public.audit_log (id, "time", actor, action, target_type, target_id, before, after) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a94', '2026-03-04 05:06:07.123456+00', 'user:admin', 'link.update', 'link', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', '{"generation":2}', '{"generation":3}');

        INSERT INTO public.data_protection_keys (id, friendly_name, xml) VALUES (1, 'key-1', '<key id="0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4aa1" version="1"><creationDate>2026-02-02T05:06:07.1234560Z</creationDate><activationDate>2026-02-02T05:06:07.1234560Z</activationDate><expirationDate>2026-05-03T05:06:07.1234560Z</expirationDate><descriptor deserializerType="Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer, Microsoft.AspNetCore.DataProtection, Version=10.0.0.0, Culture=neutral, PublicKeyToken=adb9793829ddae60"><descriptor><encryption algorithm="AES_256_CBC" /><validation algorithm="HMACSHA256" /><masterKey p4:requiresEncryption="true" xmlns:p4="http://schemas.asp.net/2015/03/dataProtection"><value>Q2qTX1VPJIiXYifXh6VoS4zHNf5if6wjIW0NGxRdIpZwYEtJtD/iYYCic7cxLDHMaydniJZxUOpPTnSRzeNCoQ==</value></masterKey></descriptor></descriptor></key>');

        INSERT INTO public.enrollment_tokens (id, description, secret_hash, prefix, created_at, created_by, expires_at, max_uses, use_count, revoked_at, last_used_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d', 'lyon batch', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'fle_abcd', '2026-02-01 05:06:07.123456+00', 'user:admin', '2026-03-03 05:06:07.123456+00', 10, 1, NULL, '2026-02-02 05:06:07.123456+00');

        INSERT INTO public.events (id, "time", host_id, link_id, member, kind, severity, message) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a81', '2026-03-04 05:06:07.123456+00', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth2', 'MemberDown', 'Warning', 'eth2 lost carrier');

        INSERT INTO public.host_labels (host_id, key, value) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'site', 'lyon — Rhône');

        INSERT INTO public.hosts (id, name, hostname, agent_version, kernel_version, capabilities, interfaces, enrolled_at, last_seen_at, decommissioned_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'edge-lyon-01', 'edge-lyon-01.example', '0.1.0', '6.1.0-28-amd64', '{"bonding":true,"teql":false,"mptcp":true,"tun":true}', '[{"name":"eth1","kind":"ether","macAddress":"02:00:00:00:00:01","mtu":1500,"up":true,"addresses":["10.0.1.2/24"]}]', '2026-02-02 05:06:07.123456+00', '2026-03-04 05:06:07.123456+00', NULL);

        INSERT INTO public.ingested_batches (host_id, sequence, received_at, sample_count, first_sample_at, last_sample_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 42, '2026-03-04 05:06:07.123456+00', 2, '2026-03-04 05:06:07.123456+00', '2026-03-04 05:06:07.123456+00');

        INSERT INTO public.links (id, host_id, name, kind, spec, desired_generation, observed_generation, phase, last_error, phase_changed_at, created_at, updated_at, deleted_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'bond0', 'Bond', '{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}', 3, 2, 'Applying', 'carrier lost on eth2', '2026-03-04 05:05:07.123456+00', '2026-03-02 05:06:07.123456+00', '2026-03-04 04:06:07.123456+00', NULL);
        INSERT INTO public.links (id, host_id, name, kind, spec, desired_generation, observed_generation, phase, last_error, phase_changed_at, created_at, updated_at, deleted_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a63', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'bond0', 'Bond', '{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}', 1, 1, 'Pending', NULL, '2026-02-23 05:06:07.123456+00', '2026-02-22 05:06:07.123456+00', '2026-02-23 05:06:07.123456+00', '2026-02-23 05:06:07.123456+00');

        INSERT INTO public.members (id, link_id, interface, "position", admin_state, rate_hint_bits_per_second, lag_hint_ms, weight, health, health_changed_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a61', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth1', 0, 'Active', 1000000000, 12, 1.5, 'Up', '2026-03-04 05:06:07.123456+00');
        INSERT INTO public.members (id, link_id, interface, "position", admin_state, rate_hint_bits_per_second, lag_hint_ms, weight, health, health_changed_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a62', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth2', 1, 'Backup', NULL, NULL, NULL, 'Unknown', NULL);

        INSERT INTO public.policy_revisions (id, link_id, generation, spec, author, reason, created_at, reverted_from_generation, outcome, outcome_message, outcome_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a71', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 3, '{"kind":"bond","name":"bond0","members":[{"interface":"eth1","adminState":"active","mptcpFlags":[]},{"interface":"eth2","adminState":"backup","mptcpFlags":[]}],"addresses":["10.9.0.1/30"],"routes":[],"confirmTimeoutSeconds":30,"repairDrift":false,"bond":{"mode":"active-backup","miimonMs":100,"arpIpTargets":[],"primary":"eth1"}}', 'user:admin', 'primary moved', '2026-03-04 04:06:07.123456+00', 1, 'Pending', NULL, NULL);

        INSERT INTO public.samples (id, link_id, member, "time", interval_ms, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, reorder_depth, reorder_depth_max, rtt_ms, loss_percent, health) VALUES (1, '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth1', '2026-03-04 05:06:07.123456+00', 1000, 9000000000, 8000000001, 7000000, 6000000, 5, 4, 3, 2, 17, 12.25, 0.5, 1);
        INSERT INTO public.samples (id, link_id, member, "time", interval_ms, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, reorder_depth, reorder_depth_max, rtt_ms, loss_percent, health) VALUES (2, '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth2', '2026-03-04 05:06:07.123456+00', 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0);

        INSERT INTO public.samples_1h (link_id, member, bucket_start, sample_count, interval_ms_sum, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, reorder_depth_sum, reorder_depth_max, rtt_ms_sum, rtt_ms_max, rtt_count, loss_percent_sum, loss_percent_max, loss_count, health_worst) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth1', '2026-03-04 05:00:00+00', 3600, 3600000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, NULL, 0, 1);

        INSERT INTO public.samples_1m (link_id, member, bucket_start, sample_count, interval_ms_sum, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, reorder_depth_sum, reorder_depth_max, rtt_ms_sum, rtt_ms_max, rtt_count, loss_percent_sum, loss_percent_max, loss_count, health_worst) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'eth1', '2026-03-04 05:06:00+00', 60, 60000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 735.5, 20.125, 60, 1.5, 0.75, 60, 1);

        INSERT INTO public.users (id, user_name, password_hash, role, security_stamp, created_at, disabled_at, last_login_at) VALUES ('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a91', 'admin', 'AQAAAAIAAYagAAAAEHash', 'Admin', 'STAMP-1', '2026-01-03 05:06:07.123456+00', NULL, '2026-03-04 05:06:07.123456+00');

        SELECT pg_catalog.setval('public.data_protection_keys_id_seq', 1, true);

        SELECT pg_catalog.setval('public.samples_id_seq', 2, true);

        ALTER TABLE ONLY public."__EFMigrationsHistory"
            ADD CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId");

        ALTER TABLE ONLY public.agent_credentials
            ADD CONSTRAINT "PK_agent_credentials" PRIMARY KEY (id);

        ALTER TABLE ONLY public.api_keys
            ADD CONSTRAINT "PK_api_keys" PRIMARY KEY (id);

        ALTER TABLE ONLY public.audit_log
            ADD CONSTRAINT "PK_audit_log" PRIMARY KEY (id);

        ALTER TABLE ONLY public.data_protection_keys
            ADD CONSTRAINT "PK_data_protection_keys" PRIMARY KEY (id);

        ALTER TABLE ONLY public.enrollment_tokens
            ADD CONSTRAINT "PK_enrollment_tokens" PRIMARY KEY (id);

        ALTER TABLE ONLY public.events
            ADD CONSTRAINT "PK_events" PRIMARY KEY (id);

        ALTER TABLE ONLY public.host_labels
            ADD CONSTRAINT "PK_host_labels" PRIMARY KEY (host_id, key);

        ALTER TABLE ONLY public.hosts
            ADD CONSTRAINT "PK_hosts" PRIMARY KEY (id);

        ALTER TABLE ONLY public.ingested_batches
            ADD CONSTRAINT "PK_ingested_batches" PRIMARY KEY (host_id, sequence);

        ALTER TABLE ONLY public.links
            ADD CONSTRAINT "PK_links" PRIMARY KEY (id);

        ALTER TABLE ONLY public.members
            ADD CONSTRAINT "PK_members" PRIMARY KEY (id);

        ALTER TABLE ONLY public.policy_revisions
            ADD CONSTRAINT "PK_policy_revisions" PRIMARY KEY (id);

        ALTER TABLE ONLY public.samples
            ADD CONSTRAINT "PK_samples" PRIMARY KEY (id);

        ALTER TABLE ONLY public.samples_1h
            ADD CONSTRAINT "PK_samples_1h" PRIMARY KEY (link_id, member, bucket_start);

        ALTER TABLE ONLY public.samples_1m
            ADD CONSTRAINT "PK_samples_1m" PRIMARY KEY (link_id, member, bucket_start);

        ALTER TABLE ONLY public.users
            ADD CONSTRAINT "PK_users" PRIMARY KEY (id);

        CREATE INDEX "IX_agent_credentials_enrollment_token_id" ON public.agent_credentials USING btree (enrollment_token_id);

        CREATE INDEX "IX_agent_credentials_host_id" ON public.agent_credentials USING btree (host_id);

        CREATE UNIQUE INDEX "IX_agent_credentials_secret_hash" ON public.agent_credentials USING btree (secret_hash);

        CREATE UNIQUE INDEX "IX_api_keys_secret_hash" ON public.api_keys USING btree (secret_hash);

        CREATE INDEX "IX_audit_log_target_type_target_id" ON public.audit_log USING btree (target_type, target_id);

        CREATE INDEX "IX_audit_log_time" ON public.audit_log USING btree ("time");

        CREATE UNIQUE INDEX "IX_enrollment_tokens_secret_hash" ON public.enrollment_tokens USING btree (secret_hash);

        CREATE INDEX "IX_events_host_id_time" ON public.events USING btree (host_id, "time");

        CREATE INDEX "IX_events_link_id_time" ON public.events USING btree (link_id, "time");

        CREATE INDEX "IX_events_time" ON public.events USING btree ("time");

        CREATE INDEX "IX_host_labels_key_value" ON public.host_labels USING btree (key, value);

        CREATE INDEX "IX_hosts_name" ON public.hosts USING btree (name);

        CREATE INDEX "IX_ingested_batches_received_at" ON public.ingested_batches USING btree (received_at);

        CREATE UNIQUE INDEX "IX_links_host_id_name" ON public.links USING btree (host_id, name) WHERE (deleted_at IS NULL);

        CREATE UNIQUE INDEX "IX_members_link_id_interface" ON public.members USING btree (link_id, interface);

        CREATE UNIQUE INDEX "IX_policy_revisions_link_id_generation" ON public.policy_revisions USING btree (link_id, generation);

        CREATE INDEX "IX_samples_1h_bucket_start" ON public.samples_1h USING btree (bucket_start);

        CREATE INDEX "IX_samples_1h_link_id_bucket_start" ON public.samples_1h USING btree (link_id, bucket_start);

        CREATE INDEX "IX_samples_1m_bucket_start" ON public.samples_1m USING btree (bucket_start);

        CREATE INDEX "IX_samples_1m_link_id_bucket_start" ON public.samples_1m USING btree (link_id, bucket_start);

        CREATE INDEX "IX_samples_link_id_time" ON public.samples USING btree (link_id, "time");

        CREATE INDEX "IX_samples_time" ON public.samples USING btree ("time");

        CREATE UNIQUE INDEX "IX_users_user_name" ON public.users USING btree (user_name);

        ALTER TABLE ONLY public.agent_credentials
            ADD CONSTRAINT "FK_agent_credentials_enrollment_tokens_enrollment_token_id" FOREIGN KEY (enrollment_token_id) REFERENCES public.enrollment_tokens(id) ON DELETE SET NULL;

        ALTER TABLE ONLY public.agent_credentials
            ADD CONSTRAINT "FK_agent_credentials_hosts_host_id" FOREIGN KEY (host_id) REFERENCES public.hosts(id) ON DELETE CASCADE;

        ALTER TABLE ONLY public.host_labels
            ADD CONSTRAINT "FK_host_labels_hosts_host_id" FOREIGN KEY (host_id) REFERENCES public.hosts(id) ON DELETE CASCADE;

        ALTER TABLE ONLY public.links
            ADD CONSTRAINT "FK_links_hosts_host_id" FOREIGN KEY (host_id) REFERENCES public.hosts(id) ON DELETE CASCADE;

        ALTER TABLE ONLY public.members
            ADD CONSTRAINT "FK_members_links_link_id" FOREIGN KEY (link_id) REFERENCES public.links(id) ON DELETE CASCADE;

        ALTER TABLE ONLY public.policy_revisions
            ADD CONSTRAINT "FK_policy_revisions_links_link_id" FOREIGN KEY (link_id) REFERENCES public.links(id) ON DELETE CASCADE;
        """";
}
