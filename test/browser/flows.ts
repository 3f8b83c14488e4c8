/**
 * What the browser tests do as people would, shared by the test files: the texts come from the web app's own
 * Chinese messages (web/src/i18n), so a reworded label changes the test's expectation with it.
 */
import type { Locator } from 'playwright-core';
import QRCode from 'qrcode';
import { schoolBusExample } from '../../api/schemas/examples';
import { departmentName } from '../../domain/departments';
import type { Department } from '../../domain/types';
import { common } from '../../web/src/i18n/common';
import { workbench } from '../../web/src/i18n/workbench';
import { publicPages } from '../../web/src/i18n/public';
import { claimAndDecide, portalToken, token } from '../helpers/api-harness';
import type { BrowserRun, TestPage } from '../helpers/browser';
import { waitFor } from '../helpers/harness';
import { humanReviewOrder, loadServiceCatalog } from '../../infra/services/catalog';

const ZH: Record<string, string> = { ...common.zh, ...workbench.zh, ...publicPages.zh };

/** The app's Chinese text for `key`, placeholders filled. */
export function zh(key: string, vars: Record<string, string | number> = {}): string {
  const text = ZH[key];
  if (text === undefined) throw new Error(`no message ${key} in web/src/i18n`);
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export const portal = portalToken('portal-system');
export const ops = token('ops', undefined, 'ops-browser');
export const reviewerToken = (d: Department) => token('reviewer', d, `${d}-browser`);

/** The school-bus review plan, in order: every department's step, read from the catalogue (as the API serves it). */
export const SCHOOL_BUS_PLAN: [Department, string][] = humanReviewOrder(loadServiceCatalog().get('SCHOOLBUS')!);

/** A school-bus case submitted through the API as the portal; the receipt carries the applicant's access code. */
export async function submitSchoolBus(run: BrowserRun, key: string): Promise<{ caseNo: string; accessCode: string }> {
  const res = await run.api.call('POST', '/cases', { token: portal, body: schoolBusExample(), headers: { 'Idempotency-Key': `${key}-${Date.now()}` } });
  if (res.status !== 201) throw new Error(`submission answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { caseNo: res.body.caseNo, accessCode: res.body.accessCode };
}

/** The step's open task in the department's queue, once the workflow has opened it (observed through the API). */
export async function openTask(run: BrowserRun, dept: Department, caseNo: string, stepId: string): Promise<{ taskId: string }> {
  return waitFor(`${stepId} open in the ${dept} queue`, async () => {
    const q = await run.api.call('GET', '/reviews?status=open', { token: reviewerToken(dept) });
    return (q.body.tasks as { caseNo: string; stepId: string; taskId: string }[]).find((t) => t.caseNo === caseNo && t.stepId === stepId);
  });
}

/** Approves a step through the API (claim, then decide), for the steps a test does not drive through the pages. */
export async function approveByApi(run: BrowserRun, dept: Department, caseNo: string, stepId: string): Promise<void> {
  const task = await openTask(run, dept, caseNo, stepId);
  const res = await claimAndDecide(run.api, reviewerToken(dept), task.taskId, caseNo, stepId);
  if (res.status !== 202) throw new Error(`${stepId}: decision answered ${res.status}`);
}

/** The step's status as the API reports it, once it is `status`. */
export async function stepReaches(run: BrowserRun, caseNo: string, stepId: string, status: string): Promise<void> {
  try {
    await waitFor(`${stepId} ${status}`, async () => {
      const v = await run.api.call('GET', `/cases/${caseNo}`, { token: ops });
      return (v.body.steps as { id: string; status: string }[]).some((s) => s.id === stepId && s.status === status) ? true : undefined;
    });
  } catch (err) {
    // A rare CI timeout here once left nothing to go on: say where the case stood (its steps and last timeline entries).
    const v = await run.api.call('GET', `/cases/${caseNo}`, { token: ops });
    const where = { status: v.body.status, steps: v.body.steps, timeline: (v.body.timeline as unknown[] | undefined)?.slice(-8) };
    throw new Error(`${(err as Error).message}; the case as ops see it: ${JSON.stringify(where)}`);
  }
}

export async function caseReaches(run: BrowserRun, caseNo: string, status: string, timeoutMs = 30_000): Promise<{ certificates: { no: string }[] } & Record<string, unknown>> {
  return waitFor(
    `${caseNo} ${status}`,
    async () => {
      const v = await run.api.call('GET', `/cases/${caseNo}`, { token: ops });
      return v.body.status === status ? v.body : undefined;
    },
    timeoutMs,
  );
}

/** Picks an option of an antd Select by its label (the control is a combobox; the options render in a popup). */
export async function pickOption(p: TestPage, comboboxSelector: string, label: string): Promise<void> {
  // The select shows the picked label once React has taken the choice. A click that lands while the dropdown is still
  // opening can be lost (seen once in CI: the department stayed empty): pick again until the select shows it.
  const combobox = p.page.locator(comboboxSelector);
  // The antd Select around the combobox (its root carries the class `ant-select`, then a space).
  const select = combobox.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]');
  const shown = select.locator(`.ant-select-selection-item[title="${label}"]`);
  for (let attempt = 1; ; attempt++) {
    // Once an option is shown, it covers the search input: open the dropdown through the select itself.
    await (attempt === 1 ? combobox : select).click();
    await p.page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).click();
    try {
      await shown.waitFor({ timeout: 2_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

const pathOf = (p: TestPage) => new URL(p.page.url(), p.origin).pathname;

/**
 * The workbench's development sign-in as the department's first seeded reviewer: pick the department (the reviewer
 * follows), sign in, and land on `landsOn`: the department's queue (waited for), or the page the sign-in returns to.
 */
export async function signInAsReviewer(p: TestPage, dept: Department, check?: string, landsOn = '/workbench'): Promise<void> {
  if (!pathOf(p).startsWith('/workbench/sign-in')) await p.goto('/workbench');
  await p.page.getByRole('heading', { name: zh('signIn.title') }).waitFor();
  await p.page.getByTestId('dev-sign-in').waitFor();
  await pickOption(p, '#signin-department', departmentName(dept).zh);
  if (check) await p.check(check);
  await p.page.getByRole('button', { name: zh('signIn.submit') }).click();
  // Where the sign-in sends the reviewer, asserted at once (not as a missing heading 15 s later).
  await p.page.waitForURL((u) => !u.pathname.startsWith('/workbench/sign-in'));
  expect(pathOf(p)).toBe(landsOn);
  if (landsOn !== '/workbench') return;
  await p.page.getByRole('heading', { name: zh('queue.title', { department: departmentName(dept).zh }) }).waitFor();
  await p.page.getByTestId('queue-summary').waitFor();
}

/** The header's sign-out button, then the sign-in page. */
export async function signOut(p: TestPage): Promise<void> {
  await p.page.getByRole('button', { name: zh('session.signOut') }).click();
  await p.page.getByRole('heading', { name: zh('signIn.title') }).waitFor();
}

/** The queue's "open" link of this step of the case (its accessible name names the case and the step). */
export const openLinkName = (caseNo: string, stepName: string) => `${zh('queue.open')} ${caseNo} ${stepName}`;

/** The step names of a service, as the pages show them. */
export async function stepNames(run: BrowserRun, service: string): Promise<(id: string) => string> {
  const def = (await run.api.call('GET', `/services/${service}`, { token: portal })).body as { reviewPlan: { id: string; name: { zh: string } }[] };
  return (id) => def.reviewPlan.find((s) => s.id === id)!.name.zh;
}

/** The certificate names of a service (by certificate type), as the pages show them. */
export async function certificateNames(run: BrowserRun, service: string): Promise<(type: string) => string> {
  const def = (await run.api.call('GET', `/services/${service}`, { token: portal })).body as { certificates: { type: string; name: { zh: string } }[] };
  return (type) => def.certificates.find((c) => c.type === type)!.name.zh;
}

/** From the queue to the case page by the step's link, then claim the task: the decision form is shown. */
export async function openAndClaim(p: TestPage, caseNo: string, stepName: string, checkBeforeClaim?: string): Promise<void> {
  await p.page.getByRole('link', { name: openLinkName(caseNo, stepName), exact: true }).click();
  await p.page.getByRole('heading', { level: 1, name: zh('case.title', { caseNo }) }).waitFor();
  const claim = p.page.getByTestId('claim-task');
  await claim.waitFor();
  if (checkBeforeClaim) await p.check(checkBeforeClaim);
  await claim.click();
  await p.page.getByTestId('decision-form').waitFor();
}

/** The confirmation dialog of a decision of this kind. */
export const confirmDialog = (p: TestPage, kind: 'approve' | 'reject' | 'request_supplement') =>
  p.page.getByRole('dialog', { name: zh('decide.confirm', { kind: zh(`decisionKind.${kind}`) }) });

/**
 * Whether the QR code image shows exactly `text`: the image's pixels (read in the page through a canvas) sampled at
 * the centre of each module match the symbol that the `qrcode` package (the one the page draws with) makes for
 * `text`. Any other content, mask or error-correction level gives other modules.
 */
export async function qrShows(p: TestPage, img: Locator, text: string): Promise<boolean> {
  const bitmap = await img.evaluate(async (el) => {
    const image = el as unknown as { naturalWidth: number; naturalHeight: number; decode: () => Promise<void>; ownerDocument: { createElement: (tag: string) => unknown } };
    await image.decode();
    const canvas = image.ownerDocument.createElement('canvas') as {
      width: number;
      height: number;
      getContext: (kind: string) => { drawImage: (i: unknown, x: number, y: number) => void; getImageData: (x: number, y: number, w: number, h: number) => { data: ArrayLike<number> } };
    };
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const dark: number[] = [];
    for (let i = 0; i < data.length; i += 4) dark.push(data[i]! + data[i + 1]! + data[i + 2]! < 384 ? 1 : 0);
    return { width: canvas.width, height: canvas.height, dark };
  });
  if (bitmap.width !== bitmap.height || bitmap.width === 0) return false;
  const symbol = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  // The quiet zone (margin) is the page's choice: accept any of the usual widths.
  return [0, 1, 2, 3, 4].some((margin) => {
    const scale = bitmap.width / (symbol.size + margin * 2);
    if (scale < 2) return false;
    for (let r = 0; r < symbol.size; r++) {
      for (let c = 0; c < symbol.size; c++) {
        const x = Math.floor((margin + c + 0.5) * scale);
        const y = Math.floor((margin + r + 0.5) * scale);
        if (bitmap.dark[y * bitmap.width + x] !== (symbol.get(r, c) ? 1 : 0)) return false;
      }
    }
    return true;
  });
}
