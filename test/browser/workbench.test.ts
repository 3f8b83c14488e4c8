/**
 * The reviewer workbench in a real browser against the real stack: a school-bus case that the portal submitted
 * through the API goes through every department's step in the pages, each reviewer signing in through the dev
 * sign-in, finding the case in the department's queue, opening it, claiming the task and approving; one reviewer
 * does all of it with the keyboard only. The case ends completed with its certificates issued.
 */
import { schoolBusExample } from '../../api/schemas/examples';
import { DEMO } from '../../infra/db/seed';
import { startBrowserRun, type BrowserRun, type TestPage } from '../helpers/browser';
import { caseReaches, confirmDialog, openAndClaim, openLinkName, openTask, SCHOOL_BUS_PLAN, signInAsReviewer, stepNames, stepReaches, submitSchoolBus, zh } from './flows';

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

describe('the reviewer workbench', () => {
  it('takes a school-bus case from every department queue to its certificates, one department with the keyboard only', async () => {
    const { caseNo } = await submitSchoolBus(run, 'browser-workbench');
    const stepName = await stepNames(run, 'SCHOOLBUS');

    // Each reviewer in a tab of their own (a tab's session is its own), all in one browser profile.
    let p: TestPage | undefined;
    for (const [i, [dept, stepId]] of SCHOOL_BUS_PLAN.entries()) {
      // The workflow opens the step; the queue shows it from then on.
      await openTask(run, dept, caseNo, stepId);
      const previous: TestPage | undefined = p;
      p = await run.open('workbench', previous ? { besides: previous } : {});
      await previous?.page.close();
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
    }

    // The last reviewer's case page: the case is completed, every step approved by the reviewer who decided it.
    const completed = await caseReaches(run, caseNo, 'completed');
    p = p!;
    await p.page.getByRole('button', { name: zh('action.refresh') }).click();
    await p.page.getByTestId('case-status').getByText(zh('caseStatus.completed')).waitFor();
    for (const [, stepId] of SCHOOL_BUS_PLAN) await p.page.getByTestId(`step-status-${stepId}`).getByText(zh('stepStatus.approved')).waitFor();
    // Each decision names the reviewer who signed in for it (the seeded reviewer the sign-in picked).
    const decisions = await p.page.getByTestId('case-steps').innerText();
    for (const [dept] of SCHOOL_BUS_PLAN) expect(decisions).toContain(DEMO.reviewers.find((r) => r.department === dept)!.id);
    await p.check('case-completed');

    // To the certificate: the permit and a sign per vehicle; the reviewer's print view reads the permit in clear
    // (GET /certificates/{no} for a department that took part), valid, with the plate unmasked.
    expect(completed.certificates.length).toBeGreaterThanOrEqual(2);
    const permit = completed.certificates[0]!.no;
    await p.goto(`/certificates/${encodeURIComponent(permit)}/print`);
    await p.page.locator(`[data-testid="certificate-sheet"][data-certificate-no="${permit}"]`).waitFor();
    await p.page.locator('[data-testid="certificate-status"][data-status="valid"]').waitFor();
    expect(await p.page.getByTestId('certificate-sheet').innerText()).toContain(schoolBusExample().form.vehicle.plate);
    await p.page.getByTestId('certificate-qr-image').waitFor();
    await p.check('certificate-print-reviewer');
    expect(p.responsesChecked).toBeGreaterThan(0);
  });
});
