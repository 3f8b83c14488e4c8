/**
 * The public verification page and the ops dashboard in a real browser against the real stack:
 * - a certificate revoked through the API (as ops) shows as revoked, by its QR code's verification code and by its
 *   number;
 * - the dashboard, signed in as ops through the dev sign-in, draws its ECharts charts from real cases: a school-bus
 *   case completed and one refused in this test are in the figures and in the drawn bars.
 */
import type { Department } from '../../domain/types';
import { startBrowserRun, type BrowserRun } from '../helpers/browser';
import { claimAndDecide } from '../helpers/api-harness';
import { waitFor } from '../helpers/harness';
import { approveByApi, caseReaches, openTask, ops, portal, reviewerToken, SCHOOL_BUS_PLAN, submitSchoolBus, zh } from './flows';

let run: BrowserRun;
let completedCase: { caseNo: string; certificates: { no: string }[] };

beforeAll(async () => {
  run = await startBrowserRun();
  // Real cases for both tests: one completed (certificates issued), one refused at acceptance.
  const done = await submitSchoolBus(run, 'browser-public-completed');
  const refused = await submitSchoolBus(run, 'browser-public-refused');
  const education: Department = 'education';
  const task = await openTask(run, education, refused.caseNo, 'education-acceptance');
  const r = await claimAndDecide(run.api, reviewerToken(education), task.taskId, refused.caseNo, 'education-acceptance', { decision: 'reject', comment: '车辆不符合校车标准' });
  expect(r.status).toBe(202);
  for (const [dept, stepId] of SCHOOL_BUS_PLAN) await approveByApi(run, dept, done.caseNo, stepId);
  completedCase = { caseNo: done.caseNo, certificates: (await caseReaches(run, done.caseNo, 'completed')).certificates };
  await caseReaches(run, refused.caseNo, 'rejected');
  // The applicant rates the completed case (好差评): the evaluation chart has a figure too.
  const rated = await run.api.call('POST', `/cases/${done.caseNo}/evaluation`, { token: portal, body: { stars: 5, comment: '办理很快' } });
  expect(rated.status).toBe(201);
});
afterAll(async () => {
  await run?.close();
});

describe('public certificate verification', () => {
  it('shows a certificate revoked through the API as revoked, by its verification code and by its number', async () => {
    const no = completedCase.certificates[0]!.no;
    const cert = (await run.api.call('GET', `/certificates/${no}`, { token: ops })).body as { verificationCode: string };

    // Valid before: the QR code's page.
    const p = await run.open('public');
    await p.goto(`/verify/${cert.verificationCode}`);
    await p.page.locator('[data-testid="verify-status"][data-status="valid"]').waitFor();

    const revoked = await run.api.call('POST', `/certificates/${no}/revoke`, { token: ops, body: { reason: '车辆已报废' } });
    expect(revoked.status).toBe(200);

    // The same page read again: revoked, with when; the signature itself still checks.
    await p.page.reload();
    await p.page.locator('[data-testid="verify-status"][data-status="revoked"]').waitFor();
    expect(await p.page.getByTestId('verify-status').innerText()).toBe(zh('verify.status.revoked'));
    await p.page.getByText(zh('verify.explain.revoked')).waitFor();
    await p.page.getByText(zh('verify.revokedAt')).waitFor();
    expect(await p.page.getByTestId('verify-signature').getAttribute('data-valid')).toBe('true');
    expect(await p.page.getByTestId('verify-certificate-no').innerText()).toBe(no);
    await p.check('verify-revoked');

    // Typed by number in the page's form: the status only, revoked too.
    await p.page.getByTestId('verify-input').fill(no);
    await p.page.getByTestId('verify-submit').click();
    await p.page.waitForURL(`**/verify/${no}`);
    await p.page.locator('[data-testid="verify-status"][data-status="revoked"]').waitFor();
    expect(await p.page.getByTestId('verify-certificate-no').count()).toBe(0);
    await p.page.getByText(zh('verify.byNumber')).waitFor();
    await p.check('verify-revoked-by-number');
  });
});

/** What an ECharts chart drew (SVG renderer): the filled shapes in the series' colours, with their sizes. */
async function drawnShapes(p: Awaited<ReturnType<BrowserRun['open']>>, testId: string) {
  const chart = p.page.locator(`[data-testid="${testId}"] [role="img"]`);
  await p.page.locator(`[data-testid="${testId}"] [role="img"][data-rendered="true"]`).waitFor();
  return chart.evaluate((el) => {
    type Shape = { getAttribute: (n: string) => string | null; getBBox: () => { width: number; height: number } };
    const shapes = [...(el as unknown as { querySelectorAll: (s: string) => Iterable<Shape> }).querySelectorAll('svg path, svg rect')];
    const canvases = (el as unknown as { querySelectorAll: (s: string) => { length: number } }).querySelectorAll('canvas').length;
    return {
      canvases,
      svg: (el as unknown as { querySelector: (s: string) => unknown }).querySelector('svg') !== null,
      filled: shapes.map((s) => ({ fill: (s.getAttribute('fill') ?? '').toLowerCase(), w: s.getBBox().width, h: s.getBBox().height })).filter((s) => s.fill && s.fill !== 'none' && s.w > 0 && s.h > 0),
    };
  });
}

describe('the ops dashboard', () => {
  it('draws its charts from real cases', async () => {
    const stats = (await run.api.call('GET', '/stats', { token: ops })).body as { services: { service: string; completed: number; rejected: number }[] };
    const schoolBus = stats.services.find((s) => s.service === 'SCHOOLBUS')!;
    expect(schoolBus.completed).toBeGreaterThanOrEqual(1);
    expect(schoolBus.rejected).toBeGreaterThanOrEqual(1);

    const p = await run.open('ops');
    await p.goto('/ops');
    await p.page.getByRole('heading', { level: 1, name: zh('ops.signIn.title') }).waitFor();
    await p.check('ops-sign-in');
    await p.page.getByTestId('ops-dev-sign-in').click();
    await p.page.getByTestId('ops-dashboard').waitFor();
    await p.page.getByRole('heading', { level: 1, name: zh('ops.title') }).waitFor();

    // The key figures count this test's cases (other tests' cases may add to them).
    const kpi = async (key: string) => Number((await p.page.getByTestId(`kpi-${key}`).locator('.ant-statistic-content').innerText()).replace(/[^\d.]/g, ''));
    expect(await kpi('completed')).toBeGreaterThanOrEqual(1);
    expect(await kpi('rejected')).toBeGreaterThanOrEqual(1);
    expect(await kpi('received')).toBeGreaterThanOrEqual(2);

    // Every chart is drawn, and not empty: filled shapes beyond the background.
    const charts = ['chart-daily-SCHOOLBUS', 'chart-on-time', 'chart-completion-days', 'chart-overdue-attention', 'chart-evaluation', 'chart-online-share'];
    for (const id of charts) {
      const drawn = await drawnShapes(p, id);
      expect({ id, drawn: drawn.svg || drawn.canvases > 0 }).toEqual({ id, drawn: true });
      expect({ id, shapes: drawn.filled.length > 0 }).toEqual({ id, shapes: true });
    }
    // The school-bus day chart has a completed bar and a refused bar: today's cases of this test.
    const daily = await drawnShapes(p, 'chart-daily-SCHOOLBUS');
    const fills = new Set(daily.filled.map((s) => s.fill));
    expect(fills).toContain('#237804'); // completed
    expect(fills).toContain('#a8071a'); // refused
    // The on-time chart has a bar for the school-bus service (a completed case has an on-time rate).
    const onTime = await drawnShapes(p, 'chart-on-time');
    expect(onTime.filled.some((s) => s.fill === '#237804' && s.h > 1)).toBe(true);
    // The evaluation chart has a bar for the rating given above.
    const evaluation = await drawnShapes(p, 'chart-evaluation');
    expect(evaluation.filled.some((s) => s.fill === '#722ed1' && s.h > 1)).toBe(true);
    // Each chart links to its cases in the Temporal UI.
    expect(await p.page.getByTestId('chart-daily-SCHOOLBUS-temporal').getAttribute('href')).toContain(encodeURIComponent('OneStopService="SCHOOLBUS"'));
    await p.check('ops-dashboard');
  });
});

describe('the page checks themselves', () => {
  it('fail a page with an accessibility violation, a console error, an uncaught error or sideways scrolling', async () => {
    const p = await run.open('self-check', { viewport: 'phone' });
    await p.goto('/verify');
    await p.page.getByTestId('verify-form').waitFor();
    await p.expectAccessible('verify');
    await p.expectNoSidewaysScroll('verify');
    await p.expectNoProblems();

    // An image without a text alternative (WCAG 1.1.1, critical) and content wider than the phone.
    await p.page.evaluate(() => {
      const d = (globalThis as unknown as { document: { createElement: (t: string) => { src: string; style: { width: string; height: string; display: string } }; body: { append: (e: unknown) => void } } }).document;
      const img = d.createElement('img');
      img.src = '/assets/favicon.svg';
      const wide = d.createElement('div');
      wide.style.width = '900px';
      wide.style.height = '10px';
      d.body.append(img);
      d.body.append(wide);
    });
    await expect(p.expectAccessible('broken')).rejects.toThrow(/image-alt \[critical\]/);
    await expect(p.expectNoSidewaysScroll('broken')).rejects.toThrow(/scrolls sideways/);

    // A console error and an uncaught error in the page.
    await p.page.evaluate(() => {
      const w = globalThis as unknown as { console: { error: (m: string) => void }; setTimeout: (f: () => void) => void };
      w.console.error('broken on purpose');
      w.setTimeout(() => {
        throw new Error('thrown on purpose');
      });
    });
    await waitFor('the page error', async () => (p.problems.some((x) => x.includes('thrown on purpose')) ? true : undefined));
    await expect(p.expectNoProblems()).rejects.toThrow(/console error: broken on purpose[\s\S]*page error: Error: thrown on purpose/);
  });
});
