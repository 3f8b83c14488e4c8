/**
 * The written decision on the applicant's tracking page (issue 11 item 3), in a real browser against the real stack:
 * an oversize application with divisible cargo is not accepted at intake; the applicant opens the tracking page with
 * the receipt's access code and reads the decision (不予受理, its basis and remedies), checked for console errors,
 * OpenAPI conformance and axe at both viewports; the print button prints the decision alone.
 */
import { oversizeCargoExample } from '../../api/schemas/examples';
import { startBrowserRun, type BrowserRun } from '../helpers/browser';
import { portal, zh } from './flows';

let run: BrowserRun;
beforeAll(async () => {
  run = await startBrowserRun();
});
afterAll(async () => {
  await run?.close();
});

describe('the written decision on the tracking page', () => {
  it('shows a 不予受理 decision with its basis and remedies, and prints it alone', async () => {
    const body = oversizeCargoExample();
    body.form.cargo.divisible = true;
    const res = await run.api.call('POST', '/cases', { token: portal, body, headers: { 'Idempotency-Key': `browser-decision-${Date.now()}` } });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('not_accepted');
    const { caseNo, accessCode } = res.body as { caseNo: string; accessCode: string };

    const p = await run.open('written-decision', { viewport: 'desktop' });
    await p.goto('/track');
    await p.page.getByLabel(zh('track.caseNo')).fill(caseNo);
    await p.page.getByLabel(zh('track.accessCode')).fill(accessCode);
    await p.page.getByTestId('track-submit').click();
    await p.page.locator('[data-testid="track-status"][data-status="not_accepted"]').waitFor();
    const doc = p.page.getByTestId('decision-document');
    expect(await doc.getAttribute('data-decision-no')).toBe(`${caseNo}-D`);
    const text = await doc.innerText();
    expect(text).toContain('不予受理行政许可申请决定书');
    expect(text).toContain('可分载物品');
    expect(text).toContain('交通运输部令2016年第62号');
    expect(text).toContain('60日内');
    expect(text).toContain('6个月内');
    await p.check('track-decision');

    // The print button marks the page for the print stylesheet and opens the print dialog (stubbed here).
    await p.page.evaluate(() => {
      const w = globalThis as unknown as { print: () => void; printed?: boolean };
      w.print = () => {
        w.printed = true;
      };
    });
    await p.page.getByTestId('decision-print-button').click();
    expect(await p.page.evaluate(() => (globalThis as unknown as { printed?: boolean }).printed)).toBe(true);
    await p.page.emulateMedia({ media: 'print' });
    const visibility = (testId: string) =>
      p.page.getByTestId(testId).evaluate((el) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { visibility: string } }).getComputedStyle(el).visibility);
    expect(await visibility('decision-document')).toBe('visible');
    expect(await visibility('track-summary')).toBe('hidden');
    await p.screenshot('decision-print-media');
    await p.page.emulateMedia({ media: 'screen' });
    await p.expectNoProblems();
  });
});
