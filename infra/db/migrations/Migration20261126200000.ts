import { Migration } from '@mikro-orm/migrations';

/**
 * Trust (issue 10): registered portal clients, case ownership (portal client + applicant identity), idempotency keys
 * scoped per portal client, the needs-attention flag, non-enumerable certificate verification codes, and the log of
 * every read of personal data.
 */
export class Migration20261126200000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "portal_client" ("id" varchar(64) not null, "name" varchar(200) not null, "callback_origins" jsonb not null default '[]', "webhook_secret" varchar(200) not null, "allow_private_callbacks" boolean not null default false, "created_at" timestamptz not null, constraint "portal_client_pkey" primary key ("id"));`);

    this.addSql(`alter table "one_stop_case" add column "portal_client_id" varchar(64) not null default 'unregistered', add column "applicant_subject" varchar(32) null, add column "attention_reason" varchar(500) null, add column "attention_since" timestamptz null;`);
    this.addSql(`alter table "one_stop_case" drop constraint "one_stop_case_idempotency_key_unique";`);
    this.addSql(`alter table "one_stop_case" add constraint "one_stop_case_portal_client_id_idempotency_key_unique" unique ("portal_client_id", "idempotency_key");`);
    this.addSql(`create index "one_stop_case_portal_client_id_accepted_at_index" on "one_stop_case" ("portal_client_id", "accepted_at");`);

    this.addSql(`alter table "certificate" add column "verification_code" varchar(32) null;`);
    this.addSql(`update "certificate" set "verification_code" = replace(gen_random_uuid()::text, '-', '') where "verification_code" is null;`);
    this.addSql(`alter table "certificate" alter column "verification_code" set not null;`);
    this.addSql(`alter table "certificate" add constraint "certificate_verification_code_unique" unique ("verification_code");`);

    this.addSql(`create table "personal_data_access" ("id" bigserial primary key, "at" timestamptz not null, "actor_sub" varchar(128) not null, "actor_role" varchar(16) not null, "actor_client_id" varchar(64) null, "actor_department" varchar(32) null, "subject_key" varchar(32) not null, "resource" varchar(128) not null, "purpose" varchar(200) not null);`);
    this.addSql(`create index "personal_data_access_subject_key_at_index" on "personal_data_access" ("subject_key", "at");`);
    this.addSql(`create index "personal_data_access_at_index" on "personal_data_access" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "personal_data_access" cascade;`);
    this.addSql(`alter table "certificate" drop constraint "certificate_verification_code_unique";`);
    this.addSql(`alter table "certificate" drop column "verification_code";`);
    this.addSql(`drop index "one_stop_case_portal_client_id_accepted_at_index";`);
    this.addSql(`alter table "one_stop_case" drop constraint "one_stop_case_portal_client_id_idempotency_key_unique";`);
    this.addSql(`alter table "one_stop_case" add constraint "one_stop_case_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`alter table "one_stop_case" drop column "portal_client_id", drop column "applicant_subject", drop column "attention_reason", drop column "attention_since";`);
    this.addSql(`drop table if exists "portal_client" cascade;`);
  }
}
