import { Migration } from '@mikro-orm/migrations';

/**
 * Drivers and vehicles checked from records (issue 11, item 4): what the school-bus and freight checks read from the
 * traffic police's, the transport department's and the insurers' records instead of from the applicant's form.
 * - person: the day the licence was first issued (it starts the scoring periods), the class the police endorsed for
 *   school buses (校车驾驶资格, 校车安全管理条例 art. 24), the days the driver reached 12 points, the serious violations with
 *   their dates, and until when the health declaration holds. The single full-point boolean goes: a record of when
 *   replaces it. A row that said "full points" keeps failing: it becomes a full-point record dated the day of this
 *   migration, never a clean record.
 * - vehicle: the length, which decides a bus's or a light truck's size category and so the licence it needs.
 * - school: the carrier-liability insurance of a school that runs its own bus.
 */
export class Migration20261128093000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "person" add column "licence_first_issued_on" date null, add column "school_bus_endorsement" varchar(8) null, add column "full_point_dates" jsonb not null default '[]', add column "serious_violations" jsonb not null default '[]', add column "health_declaration_valid_until" date null;`);
    this.addSql(`update "person" set "full_point_dates" = jsonb_build_array(to_char(current_date, 'YYYY-MM-DD')) where "full_point_record";`);
    this.addSql(`alter table "person" drop column "full_point_record";`);
    this.addSql(`alter table "vehicle" add column "length_mm" int null;`);
    this.addSql(`alter table "school" add column "liability_insurance_valid_until" date null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "school" drop column "liability_insurance_valid_until";`);
    this.addSql(`alter table "vehicle" drop column "length_mm";`);
    this.addSql(`alter table "person" add column "full_point_record" boolean not null default false;`);
    this.addSql(`update "person" set "full_point_record" = true where jsonb_array_length("full_point_dates") > 0;`);
    this.addSql(`alter table "person" drop column "licence_first_issued_on", drop column "school_bus_endorsement", drop column "full_point_dates", drop column "serious_violations", drop column "health_declaration_valid_until";`);
  }
}
