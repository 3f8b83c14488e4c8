/**
 * The reviewer workbench in a real browser against the real stack: a school-bus case that the portal submitted
 * through the API goes through every department's step in the pages, each reviewer signing in through the dev
 * sign-in, finding the case in the department's queue, opening it, claiming the task and approving; one reviewer
 * does all of it with the keyboard only. The reviewers share one tab: each signs out from the case page and the next
 * one starts at their own queue; once the session expires (401) instead, and signing in returns to the case page.
 * The case ends completed with its certificates issued, listed on the case page, from where the permit's print view
 * opens.
 */
import { schoolBusExample } from '../../api/schemas/examples';
import type { Department } from '../../domain/types';
import { DEMO } from '../../infra/db/seed';
import { startBrowserRun, type BrowserRun, type TestPage } from '../helpers/browser';
import { caseReaches, certificateNames, confirmDialog, openAndClaim, openLinkName, openTask, SCHOOL_BUS_PLAN, signInAsReviewer, signOut, stepNames, stepReaches, submitSchoolBus, zh } from './flows';

let run: BrowserRun;
beforeAll(async () => {
  run = await startBrowserRun();
});
afterAll(async () => {
  await run?.close();
});

async function decideWithMouse(p: TestPage, caseNo: string, stepName: string, checkPages: boolean) {
  await openAndClaim(p, caseNo, stepName, checkPages ? 'case-before-claim' : undefined);
  const form = p.page.getByTestId('decision-form');
  await form.getByRole('radio', { name: zh('decisionKind.approve') }).check();
  await form.getByLabel(zh('decide.comment')).fill('材料齐全，同意。');
  if (checkPages) await p.check('case-decision-form');
  await p.page.getByTestId('submit-decision').click();
  const dialog = confirmDialog(p, 'approve');
  await dialog.waitFor();
  if (checkPages) await p.check('case-confirm-dialog', { viewports: ['desktop'] });
  await dialog.getByRole('button', { name: zh('decide.submit') }).click();
}

/** The same decision with the keyboard only: Tab to each control, Enter/Space to act, typed comment. */
async function decideWithKeyboard(p: TestPage, caseNo: string, stepName: string) {
  const kb = p.page.keyboard;
  await p.tabTo(`a[aria-label="${openLinkName(caseNo, stepName)}"]`);
  await kb.press('Enter');
  await p.page.getByRole('heading', { level: 1, name: zh('case.title', { caseNo }) }).waitFor();
  await p.tabTo('[data-testid="claim-task"]');
  await kb.press('Enter');
  await p.page.getByTestId('decision-form').waitFor();
  // After the claim the panel moves the focus to the first decision (the claim button is gone).
  await p.waitForFocus(p.page.locator('[data-testid="decision-form"] input[type=radio]').first());
  // Approve is offered first and checked; Space keeps it checked on a focused radio.
  await kb.press('Space');
  expect(await p.page.getByTestId('decision-form').getByRole('radio', { name: zh('decisionKind.approve') }).isChecked()).toBe(true);
  await p.tabTo('[data-testid="decision-form"] textarea');
  await kb.type('经核查，车辆与线路符合条件。');
  await p.tabTo('[data-testid="submit-decision"]');
  await kb.press('Enter');
  // The confirmation takes the focus on its OK button: Enter confirms.
  const ok = confirmDialog(p, 'approve').getByRole('button', { name: zh('decide.submit') });
  await p.waitForFocus(ok);
  await kb.press('Enter');
}

/**
 * The session expires while the reviewer is on a case page: a token the API no longer accepts (its signature spoilt in
 * the tab's storage; the page reads only the claims) makes the page's first call answer 401. The sign-in page says
 * the session expired, and signing in again returns to the same case page.
 */
async function sessionExpiresOn(p: TestPage, dept: Department, casePath: string) {
  await p.page.evaluate((key) => {
    const storage = (globalThis as unknown as { sessionStorage: { getItem: (k: string) => string | null; setItem: (k: string, v: string) => void } }).sessionStorage;
    storage.setItem(key, storage.getItem(key)!.replace(/[^.]+$/, 'A'.repeat(43)));
  }, 'onestop.session');
  // Chromium logs the 401 it was answered as a console error: expected here.
  p.allowConsoleError(/status of 401 \(Unauthorized\)/);
  await p.page.reload();
  await p.page.getByRole('heading', { name: zh('signIn.title') }).waitFor();
  await p.page.getByRole('alert').getByText(zh('signIn.expired')).waitFor();
  await signInAsReviewer(p, dept, undefined, casePath);
  await p.page.getByTestId('case-status').waitFor();
  await p.expectNoProblems();
}

describe('the reviewer workbench', () => {
  it('takes a school-bus case from every department queue to its certificates, one department with the keyboard only', async () => {
    const { caseNo } = await submitSchoolBus(run, 'browser-workbench');
    const stepName = await stepNames(run, 'SCHOOLBUS');

    // One screen shared by the reviewers, as at a counter: each signs out from the case page they decided on, and
    // the next one signs in there and starts at their own department's queue (not at the case the last one left).
    const p = await run.open('workbench');
    const casePath = `/workbench/cases/${encodeURIComponent(caseNo)}`;
    for (const [i, [dept, stepId]] of SCHOOL_BUS_PLAN.entries()) {
      // The workflow opens the step; the queue shows it from then on.
      await openTask(run, dept, caseNo, stepId);
      if (i > 0) {
        expect(new URL(p.page.url()).pathname).toBe(casePath);
        await signOut(p);
        expect(await p.page.getByText(zh('signIn.expired')).count()).toBe(0);
      }
      await signInAsReviewer(p, dept, i === 0 ? 'sign-in' : undefined);
      const queueRow = p.page.getByRole('link', { name: openLinkName(caseNo, stepName(stepId)), exact: true });
      await queueRow.waitFor();
      if (i === 0) await p.check(`queue-${dept}`);

      if (dept === 'transport') await decideWithKeyboard(p, caseNo, stepName(stepId));
      else await decideWithMouse(p, caseNo, stepName(stepId), i === 0);

      // The decision is accepted (202): the page says so, and the workflow records the step as approved.
      await p.page.getByText(zh('decide.done', { kind: zh('decisionKind.approve') })).first().waitFor();
      await stepReaches(run, caseNo, stepId, 'approved');
      await p.page.getByRole('button', { name: zh('action.refresh') }).click();
      await p.page.getByTestId('your-task').getByText(zh('case.noTask')).waitFor();
      await p.expectNoProblems();
      if (i === 1) await sessionExpiresOn(p, dept, casePath);
    }

    // The last reviewer's case page: the case is completed, every step approved by the reviewer who decided it.
    const completed = await caseReaches(run, caseNo, 'completed');
    await p.page.getByRole('button', { name: zh('action.refresh') }).click();
    await p.page.getByTestId('case-status').getByText(zh('caseStatus.completed')).waitFor();
    for (const [, stepId] of SCHOOL_BUS_PLAN) await p.page.getByTestId(`step-status-${stepId}`).getByText(zh('stepStatus.approved')).waitFor();
    // Each decision names the reviewer who signed in for it (the seeded reviewer the sign-in picked).
    const decisions = await p.page.getByTestId('case-steps').innerText();
    for (const [dept] of SCHOOL_BUS_PLAN) expect(decisions).toContain(DEMO.reviewers.find((r) => r.department === dept)!.id);
    // The case page lists what the case issued, the permit and a sign per vehicle: each by name and number, with its
    // validity, its print view and its public verification.
    const issued = completed.certificates as { no: string; type: string; validUntil: string }[];
    expect(issued.length).toBeGreaterThanOrEqual(2);
    const certificateName = await certificateNames(run, 'SCHOOLBUS');
    // (Drawn with the completed status just waited for: the same case view.)
    expect(await p.page.getByTestId('case-certificate').count()).toBe(issued.length);
    for (const c of issued) {
      const item = p.page.locator(`[data-testid="case-certificate"][data-certificate-no="${c.no}"]`);
      const text = await item.innerText();
      for (const part of [certificateName(c.type), c.no, zh('case.certificates.validUntil', { day: c.validUntil })]) expect(text).toContain(part);
      expect(await item.getByRole('link', { name: zh('case.certificates.verifyLabel', { no: c.no }) }).getAttribute('href')).toBe(`/verify/${encodeURIComponent(c.no)}`);
    }
    await p.check('case-completed');

    // To the certificate from the list: the reviewer's print view reads the permit in clear (GET /certificates/{no}
    // for a department that took part), valid, with the plate unmasked.
    const permit = issued[0]!;
    await p.page.getByRole('link', { name: zh('case.certificates.printLabel', { name: certificateName(permit.type), no: permit.no }) }).click();
    await p.page.locator(`[data-testid="certificate-sheet"][data-certificate-no="${permit.no}"]`).waitFor();
    await p.page.locator('[data-testid="certificate-status"][data-status="valid"]').waitFor();
    expect(await p.page.getByTestId('certificate-sheet').innerText()).toContain(schoolBusExample().form.vehicle.plate);
    await p.page.getByTestId('certificate-qr-image').waitFor();
    await p.check('certificate-print-reviewer');
    expect(p.responsesChecked).toBeGreaterThan(0);
  });
});
