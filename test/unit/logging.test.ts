/**
 * The logger's rules (infra/logging): personal-data fields are redacted by path, an error is logged by name, code and
 * constraint only, the SDK's metadata becomes case/workflow/run fields, and X-Request-Id is accepted only when safe.
 */
import { Writable } from 'node:stream';
import { createLogger, errorSummary, withLogContext, annotateLogContext } from '../../infra/logging';
import { requestIdFrom } from '../../infra/logging/http';
import { temporalLogFields } from '../../infra/logging/temporal';

function capture() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination, env: { LOG_LEVEL: 'debug' } }) };
}

it('redacts every personal-data field at the top level and one level down, and keeps an error name', () => {
  const { lines, logger } = capture();
  logger.info(
    {
      form: { driver: { name: '李四', idCard: '370102198001011234' } },
      name: '李四',
      idCard: '370102198001011234',
      phone: '13800000000',
      comment: '核对驾驶人李四',
      reason: '李四不再需要',
      input: { plate: '鲁A12345', route: ['济南', '青岛'], form: {} },
      headers: { authorization: 'Bearer abc' },
      err: new TypeError('boom'),
      caseNo: 'JN-SCHOOLBUS-20261126-000001',
    },
    'x',
  );
  const text = JSON.stringify(lines);
  for (const s of ['李四', '370102198001011234', '13800000000', '鲁A12345', '济南', 'Bearer abc']) expect(text).not.toContain(s);
  expect(lines[0]).toMatchObject({ form: '[redacted]', comment: '[redacted]', caseNo: 'JN-SCHOOLBUS-20261126-000001', level: 'info', service: 'test' });
  expect(lines[0]!.err.type).toBe('TypeError');
});

it('an error is logged by name, SQLSTATE and constraint, never by its message (a driver error carries SQL parameters)', () => {
  const driverError = Object.assign(new Error("insert into person (id_card) values ('370102198001011234') - duplicate key"), {
    name: 'UniqueConstraintViolationException',
    code: '23505',
    constraint: 'person_id_card_unique',
    detail: 'Key (id_card)=(370102198001011234) already exists.',
  });
  const summary = errorSummary(driverError);
  expect(summary).toMatchObject({ name: 'UniqueConstraintViolationException', code: '23505', constraint: 'person_id_card_unique' });
  expect(JSON.stringify(summary)).not.toContain('370102198001011234');
});

it('every line inside a log context carries it, annotations included', () => {
  const { lines, logger } = capture();
  withLogContext({ requestId: 'r-1' }, () => {
    annotateLogContext({ role: 'portal', clientId: 'city-portal', caseNo: 'JN-OVERSIZE-20261126-000002' });
    logger.warn('inside');
  });
  logger.info('outside');
  expect(lines[0]).toMatchObject({ requestId: 'r-1', role: 'portal', clientId: 'city-portal', caseNo: 'JN-OVERSIZE-20261126-000002' });
  expect(lines[1]!.requestId).toBeUndefined();
});

it("the SDK's activity metadata becomes caseNo, workflowId and runId; the task token is dropped", () => {
  const fields = temporalLogFields({ sdkComponent: 'activity', taskToken: 'abc', workflowId: 'JN-FREIGHTCO-20261126-000003', workflowRunId: 'run-1', activityType: 'x' });
  expect(fields).toEqual({ sdkComponent: 'activity', workflowId: 'JN-FREIGHTCO-20261126-000003', caseNo: 'JN-FREIGHTCO-20261126-000003', runId: 'run-1', activityType: 'x' });
  expect(temporalLogFields({ workflowId: 'retention-purge', runId: 'r' })).toEqual({ workflowId: 'retention-purge', runId: 'r' });
});

it('X-Request-Id: a safe short token is kept, anything else is replaced by a generated id', () => {
  expect(requestIdFrom('gw-4f1c.77:a_b')).toBe('gw-4f1c.77:a_b');
  for (const bad of [undefined, '', 'has space', 'x'.repeat(65), '370102198001011234 李四', '<script>', 'a\nb']) {
    const id = requestIdFrom(bad);
    expect(id).not.toBe(bad);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  }
});
