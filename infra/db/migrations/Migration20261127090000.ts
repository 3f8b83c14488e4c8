import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 12: the applicant's tracking access code. Only its scrypt hash is stored (with its own salt and parameters, in
 * one string: `scrypt$<logN>$<r>$<p>$<salt>$<hash>`); the code itself is shown once, in the submission receipt.
 * Nullable: cases submitted before this have no code, and cases submitted by tools that bypass the API neither.
 */
export class Migration20261127090000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "one_stop_case" add column "access_code_hash" varchar(128) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "one_stop_case" drop column "access_code_hash";`);
  }
}
