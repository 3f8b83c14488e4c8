/**
 * Makes PostgreSQL refuse one audit entry of one case with a chosen SQLSTATE, the way a real deterministic error (NUL
 * in text: 22021) or a transient one (serialization failure: 40001) would reach the activity: a BEFORE INSERT trigger
 * on case_event that raises when (case_no, type) is listed in a control table. Rows of other cases are untouched, so
 * tests running beside it are not affected.
 */
import type { MikroORM } from '@mikro-orm/postgresql';

export interface DbJam {
  jam(caseNo: string, eventType: string, sqlState: string): Promise<void>;
  unjam(caseNo: string, eventType: string): Promise<void>;
  remove(): Promise<void>;
}

export async function installDbJam(orm: MikroORM): Promise<DbJam> {
  const db = () => orm.em.fork().getConnection();
  await db().execute(`create table if not exists test_jam (case_no varchar(64), type varchar(48), sqlstate char(5), primary key (case_no, type))`);
  await db().execute(`create or replace function test_jam_case_event() returns trigger language plpgsql as $$
    declare s char(5);
    begin
      select j.sqlstate into s from test_jam j where j.case_no = NEW.case_no and j.type = NEW.type;
      if found then raise exception 'test jam of %', NEW.case_no using errcode = s; end if;
      return NEW;
    end $$`);
  await db().execute('drop trigger if exists test_jam on case_event');
  await db().execute('create trigger test_jam before insert on case_event for each row execute function test_jam_case_event()');
  return {
    async jam(caseNo, eventType, sqlState) {
      await db().execute('insert into test_jam (case_no, type, sqlstate) values (?, ?, ?) on conflict (case_no, type) do update set sqlstate = excluded.sqlstate', [caseNo, eventType, sqlState]);
    },
    async unjam(caseNo, eventType) {
      await db().execute('delete from test_jam where case_no = ? and type = ?', [caseNo, eventType]);
    },
    async remove() {
      await db().execute('drop trigger if exists test_jam on case_event');
      await db().execute('drop function if exists test_jam_case_event()');
      await db().execute('drop table if exists test_jam');
    },
  };
}
