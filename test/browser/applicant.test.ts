/**
 * The applicant's side in a real browser against the real stack, on a phone: a reviewer asks for a supplement in the
 * workbench; the applicant opens the tracking page with the case number and the access code from the submission
 * receipt, sees what is missing and why, supplies it, and after the departments' approvals opens the certificate's
 * print view, whose QR code opens the public verification page, which says valid. Larger-text mode on the tracking
 * and verification pages.
 */
import { departmentName } from '../../domain/departments';
import { startBrowserRun, type BrowserRun, type TestPage } from '../helpers/browser';
import {
  approveByApi,
  caseReaches,
  confirmDialog,
  openAndClaim,
  openTask,
  ops,
  pickOption,
  qrShows,
  SCHOOL_BUS_PLAN,
  signInAsReviewer,
  stepNames,
  submitSchoolBus,
  zh,
} from './flows';

let run: BrowserRun;
beforeAll(async () => {
  run = await startBrowserRun();
});
afterAll(async () => {
  await run?.close();
});

const REASON = '保险凭证已过期，请提供有效期内的凭证';
/** The school-bus service's `insurance` material (data/services/school-bus.json), as the pages name it. */
const INSURANCE = { zh: '承运人责任保险凭证', en: 'Carrier liability insurance' };

/** The page's base font size in px (what larger-text mode raises). */
const fontSize = (p: TestPage, testId: string) =>
  p.page.getByTestId(testId).evaluate((el) => parseFloat((globalThis as unknown as { getComputedStyle: (e: unknown) => { fontSize: string } }).getComputedStyle(el).fontSize));

/** Larger-text mode switched on with its button: pressed, the text bigger, then the page checked again. */
async function largeTextOn(p: TestPage, pageName: string) {
  const toggle = p.page.getByTestId('large-text-toggle');
  expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  const before = await fontSize(p, 'public-page');
  await toggle.click();
  await p.page.locator('[data-testid="public-page"][data-large-text="true"]').waitFor();
  expect(await toggle.getAttribute('aria-pressed')).toBe('true');
  const after = await fontSize(p, 'public-page');
  expect(after).toBeGreaterThanOrEqual(before * 1.25);
  await p.check(pageName);
}

describe('the applicant', () => {
  it('sees a supplement request, supplies it on the tracking page, and opens the certificate and its QR target', async () => {
    const { caseNo, accessCode } = await submitSchoolBus(run, 'browser-applicant');
    const stepName = await stepNames(run, 'SCHOOLBUS');

    // A reviewer asks for a supplement through the workbench: the missing material and the reason.
    await openTask(run, 'education', caseNo, 'education-acceptance');
    const reviewer = await run.open('applicant');
    await signInAsReviewer(reviewer, 'education');
    await openAndClaim(reviewer, caseNo, stepName('education-acceptance'));
    const form = reviewer.page.getByTestId('decision-form');
    await form.getByRole('radio', { name: zh('decisionKind.request_supplement') }).check();
    await form.getByLabel(zh('decide.comment')).fill('请补正保险凭证');
    const row = form.getByTestId('missing-row').first();
    await pickOption(reviewer, `[data-testid="decision-form"] [data-testid="missing-row"] input[role="combobox"]`, INSURANCE.zh);
    await row.getByLabel(`${zh('decide.missingReason')} 1`).fill(REASON);
    await reviewer.check('case-supplement-form', { viewports: ['desktop'] });
    await reviewer.page.getByTestId('submit-decision').click();
    await confirmDialog(reviewer, 'request_supplement').getByRole('button', { name: zh('decide.submit') }).click();
    await reviewer.page.getByText(zh('decide.done', { kind: zh('decisionKind.request_supplement') })).first().waitFor();
    await reviewer.expectNoProblems();
    await reviewer.page.context().close();
    await caseReaches(run, caseNo, 'awaiting_supplement');

    // The applicant, on a phone, types the case number and the access code as printed on the receipt (grouped, any case).
    const p = await run.open('applicant', { viewport: 'phone' });
    await p.goto('/track');
    await p.page.getByRole('heading', { level: 1, name: zh('track.title') }).waitFor();
    await p.check('track-sign-in');
    await p.page.getByLabel(zh('track.caseNo')).fill(caseNo);
    await p.page.getByLabel(zh('track.accessCode')).fill(`${accessCode.slice(0, 5).toLowerCase()} ${accessCode.slice(5)}`);
    await p.page.getByTestId('track-submit').click();
    await p.page.getByRole('heading', { level: 1, name: zh('track.caseHeading', { caseNo }) }).waitFor();
    // The code is never in the address.
    expect(p.page.url()).not.toContain(accessCode);
    await p.page.locator('[data-testid="track-status"][data-status="awaiting_supplement"]').waitFor();
    const item = p.page.locator('[data-testid="supplement-item"][data-material="insurance"]');
    await item.getByText(REASON).waitFor();
    // In the applicant's words: the material's and the asking department's names, the reason as the reviewer wrote
    // it; no code (`insurance`, `education:`) anywhere in the item, in Chinese or English.
    expect(await item.innerText()).not.toMatch(/insurance|education/);
    const shown = async () => [await item.getByTestId('supplement-material').innerText(), await item.getByTestId('supplement-department').innerText()];
    expect(await shown()).toEqual([INSURANCE.zh, departmentName('education').zh]);
    expect(await item.getByTestId('supplement-reason').innerText()).toBe(REASON);
    await p.page.getByTestId('language-switch').click();
    await item.getByText(INSURANCE.en).first().waitFor();
    expect(await shown()).toEqual([INSURANCE.en, departmentName('education').en]);
    expect(await item.innerText()).not.toContain('education');
    await p.page.getByTestId('language-switch').click();
    await item.getByText(INSURANCE.zh).first().waitFor();
    expect(await p.page.getByTestId('track-paused').innerText()).not.toBe(zh('track.notPaused'));
    await p.check('track-supplement');
    await largeTextOn(p, 'track-supplement-large-text');

    // Supplied: the form sends it, the page says so, and the case resumes (the page re-reads it).
    await p.page.getByLabel(zh('track.supplement.reference', { material: INSURANCE.zh })).fill('upload:sb-ins-2');
    await p.page.getByTestId('supplement-comment').fill('已上传新的保险凭证');
    await p.page.getByTestId('supplement-submit').click();
    await p.page.getByTestId('supplement-sent').waitFor();
    await p.page.locator('[data-testid="track-status"][data-status="in_review"]').waitFor({ timeout: 20_000 });
    await p.expectNoProblems();

    // The departments approve (through the API: the workbench is the other test's subject).
    for (const [dept, stepId] of SCHOOL_BUS_PLAN) await approveByApi(run, dept, caseNo, stepId);
    const completed = await caseReaches(run, caseNo, 'completed');

    await p.page.getByTestId('track-refresh').click();
    await p.page.locator('[data-testid="track-status"][data-status="completed"]').waitFor();
    const certificates = p.page.getByTestId('track-certificate');
    await certificates.first().waitFor();
    expect(await certificates.count()).toBe(completed.certificates.length);
    await p.check('track-completed');

    // The certificate's print view, from the tracking page (the tab's tracking session opens it).
    const no = completed.certificates[0]!.no;
    await p.page.locator(`[data-testid="track-certificate"][data-certificate-no="${no}"]`).getByTestId('certificate-print-link').click();
    const sheet = p.page.locator(`[data-testid="certificate-sheet"][data-certificate-no="${no}"]`);
    await sheet.waitFor();
    await p.page.locator('[data-testid="certificate-status"][data-status="valid"]').waitFor();
    const qrImage = p.page.getByTestId('certificate-qr-image');
    await qrImage.waitFor();
    await p.check('certificate-print');

    // Printed: A4, on one page.
    await p.page.emulateMedia({ media: 'print' });
    await p.screenshot('certificate-print-media');
    const pdf = await p.page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(pdfPageCount(pdf)).toBe(1);
    // A4 is 210 × 297 mm: 595.3 × 841.9 points.
    const [box] = pdfMediaBoxes(pdf);
    expect(box![2]).toBeCloseTo(595.3, -1);
    expect(box![3]).toBeCloseTo(841.9, -1);
    await p.page.emulateMedia({ media: 'screen' });

    // The QR code shows the verification page's address for this certificate (the link printed under it, the same).
    const target = await p.page.getByTestId('qr-target-link').getAttribute('href');
    const code = ((await run.api.call('GET', `/certificates/${no}`, { token: ops })).body as { verificationCode: string }).verificationCode;
    expect(target).toBe(`${p.origin}/verify/${code}`);
    expect(await qrShows(p, qrImage, target!)).toBe(true);
    expect(await qrShows(p, qrImage, `${p.origin}/verify/${code.slice(0, -1)}X`)).toBe(false); // the check tells codes apart

    // Its target: the public verification page says valid, signature checked, holder masked.
    await p.goto(target!);
    await p.page.locator('[data-testid="verify-status"][data-status="valid"]').waitFor();
    expect(await p.page.getByTestId('verify-signature').getAttribute('data-valid')).toBe('true');
    expect(await p.page.getByTestId('verify-certificate-no').innerText()).toBe(no);
    // Larger-text mode lasts for the tab: still on here.
    expect(await p.page.getByTestId('large-text-toggle').getAttribute('aria-pressed')).toBe('true');
    await p.check('verify-valid-large-text');
    await p.page.getByTestId('large-text-toggle').click();
    await p.page.locator('[data-testid="public-page"][data-large-text="false"]').waitFor();
    await largeTextOn(p, 'verify-valid');
  });
});

function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

function pdfMediaBoxes(pdf: Buffer): number[][] {
  return [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*([\d.\s]+)\]/g)].map((m) => m[1]!.trim().split(/\s+/).map(Number));
}
