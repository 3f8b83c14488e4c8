import { Migration } from '@mikro-orm/migrations';

export class Migration20261126145410 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "archived_application" ("id" bigserial primary key, "applicant_key" varchar(32) not null, "service_code" varchar(32) not null, "case_no" varchar(64) not null, "data" jsonb not null, "archived_at" timestamptz not null);`);
    this.addSql(`alter table "archived_application" add constraint "archived_application_case_no_unique" unique ("case_no");`);
    this.addSql(`create index "archived_application_applicant_key_archived_at_index" on "archived_application" ("applicant_key", "archived_at");`);

    this.addSql(`create table "case_counter" ("prefix" varchar(48) not null, "value" int not null, constraint "case_counter_pkey" primary key ("prefix"));`);

    this.addSql(`create table "case_event" ("id" bigserial primary key, "case_no" varchar(64) not null, "seq" int not null, "type" varchar(48) not null, "actor" varchar(128) null, "payload" jsonb not null, "at" timestamptz not null);`);
    this.addSql(`alter table "case_event" add constraint "case_event_case_no_seq_unique" unique ("case_no", "seq");`);

    this.addSql(`create table "certificate" ("no" varchar(64) not null, "case_no" varchar(64) not null, "type" varchar(48) not null, "subject_key" varchar(64) not null, "holder_key" varchar(32) not null, "holder_name" varchar(200) not null, "authority" varchar(200) not null, "fields" jsonb not null, "valid_from" date not null, "valid_until" date not null, "issued_at" timestamptz not null, "payload" text not null, "signature" text not null, "key_id" varchar(64) not null, "revoked_at" timestamptz null, "revoked_reason" varchar(500) null, constraint "certificate_pkey" primary key ("no"));`);
    this.addSql(`create index "certificate_holder_key_index" on "certificate" ("holder_key");`);
    this.addSql(`alter table "certificate" add constraint "certificate_case_no_type_subject_key_unique" unique ("case_no", "type", "subject_key");`);

    this.addSql(`create table "company" ("credit_code" varchar(18) not null, "name" varchar(200) not null, "legal_representative" varchar(100) not null, "address" varchar(300) not null, "business_scope" jsonb not null, "business_licence_status" varchar(16) not null, "operating_permit_no" varchar(64) null, "operating_permit_valid_until" date null, "operating_scope" jsonb not null default '[]', "serious_violation" boolean not null default false, "liability_insurance_valid_until" date null, constraint "company_pkey" primary key ("credit_code"));`);

    this.addSql(`create table "one_stop_case" ("case_no" varchar(64) not null, "service_code" varchar(32) not null, "definition_version" int not null, "idempotency_key" varchar(128) not null, "request_hash" varchar(64) not null, "applicant_key" varchar(32) not null, "applicant_name" varchar(200) not null, "channel" varchar(16) not null, "status" varchar(32) not null, "form" jsonb not null, "accepted_at" timestamptz not null, "deadline" timestamptz null, "deadline_provisional" boolean not null default false, "overdue" boolean not null default false, "pending_departments" jsonb not null default '[]', "paused_working_days" int not null default 0, "completed_at" timestamptz null, "outcome_reasons" jsonb not null default '[]', "webhook_url" varchar(2000) null, "evaluation_stars" smallint null, "evaluation_comment" varchar(2000) null, "updated_at" timestamptz not null, "last_event_seq" int not null default 0, constraint "one_stop_case_pkey" primary key ("case_no"));`);
    this.addSql(`create index "one_stop_case_service_code_index" on "one_stop_case" ("service_code");`);
    this.addSql(`alter table "one_stop_case" add constraint "one_stop_case_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "one_stop_case_applicant_key_index" on "one_stop_case" ("applicant_key");`);
    this.addSql(`create index "one_stop_case_status_index" on "one_stop_case" ("status");`);
    this.addSql(`create index "one_stop_case_service_code_status_index" on "one_stop_case" ("service_code", "status");`);
    this.addSql(`create index "one_stop_case_accepted_at_index" on "one_stop_case" ("accepted_at");`);

    this.addSql(`create table "person" ("id_card" varchar(18) not null, "name" varchar(100) not null, "phone" varchar(32) null, "licence_class" varchar(8) null, "licence_valid_until" date null, "driving_years" int null, "freight_qualification_valid_until" date null, "full_point_record" boolean not null default false, "serious_accident" boolean not null default false, "drink_driving" boolean not null default false, "criminal_record" boolean not null default false, constraint "person_pkey" primary key ("id_card"));`);

    this.addSql(`create table "reviewer" ("id" varchar(64) not null, "name" varchar(100) not null, "department" varchar(32) not null, constraint "reviewer_pkey" primary key ("id"));`);
    this.addSql(`create index "reviewer_department_index" on "reviewer" ("department");`);

    this.addSql(`create table "review_task" ("id" varchar(96) not null, "case_no" varchar(64) not null, "service_code" varchar(32) not null, "step_id" varchar(48) not null, "round" int not null, "department" varchar(32) not null, "status" varchar(16) not null, "deadline" timestamptz null, "reminded" boolean not null default false, "overdue" boolean not null default false, "claimed_by" varchar(128) null, "claimed_at" timestamptz null, "decision" varchar(32) null, "automatic_report" jsonb null, "created_at" timestamptz not null, "closed_at" timestamptz null, constraint "review_task_pkey" primary key ("id"));`);
    this.addSql(`create index "review_task_department_status_deadline_index" on "review_task" ("department", "status", "deadline");`);
    this.addSql(`alter table "review_task" add constraint "review_task_case_no_step_id_round_unique" unique ("case_no", "step_id", "round");`);

    this.addSql(`create table "road_restriction" ("id" varchar(32) not null, "kind" varchar(16) not null, "name" varchar(200) not null, "max_gross_mass_kg" int null, "max_height_mm" int null, "max_width_mm" int null, "demo" boolean not null default true, constraint "road_restriction_pkey" primary key ("id"));`);

    this.addSql(`create table "school" ("credit_code" varchar(18) not null, "name" varchar(200) not null, "address" varchar(300) not null, constraint "school_pkey" primary key ("credit_code"));`);

    this.addSql(`create table "vehicle" ("plate" varchar(16) not null, "owner_key" varchar(18) not null, "kind" varchar(32) not null, "axles" int not null, "configuration" varchar(16) not null, "total_mass_kg" int not null, "seats" int null, "driving_licence_valid_until" date null, "inspection_valid_until" date null, "road_transport_cert_valid_until" date null, "meets_school_bus_standard" boolean not null default false, constraint "vehicle_pkey" primary key ("plate"));`);
    this.addSql(`create index "vehicle_owner_key_index" on "vehicle" ("owner_key");`);

    this.addSql(`create table "webhook_delivery" ("id" bigserial primary key, "case_no" varchar(64) not null, "event_seq" int not null, "url" varchar(2000) not null, "attempt" int not null, "http_status" int null, "error" varchar(500) null, "at" timestamptz not null);`);
    this.addSql(`create index "webhook_delivery_case_no_index" on "webhook_delivery" ("case_no");`);
  }

}
