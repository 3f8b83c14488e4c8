import { Migration } from '@mikro-orm/migrations';

/**
 * Automatic check reports kept in PostgreSQL, not in Temporal's history: the report of a check names drivers, plates
 * and records (issue 10, part 6). The workflow carries only the verdict, the reasons and a reference.
 */
export class Migration20261127100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "automatic_check_report" ("case_no" varchar(64) not null, "step_id" varchar(48) not null, "report" jsonb not null, "created_at" timestamptz not null, constraint "automatic_check_report_pkey" primary key ("case_no", "step_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "automatic_check_report" cascade;`);
  }
}
