/**
 * End-to-end browser tests: Debian's headless Chromium (/usr/bin/chromium, never a downloaded build) driven by
 * playwright-core, against the real stack: the API app (createApp, which also serves the built web app from
 * web/dist) with a worker on the run's Temporal server and test database (test/helpers/api-harness.ts).
 *
 * Every page a test looks at is held to the same bar (`TestPage.check`):
 * - no console error and no uncaught page error since the page opened (a CSP violation or a failed resource load is a
 *   console error in Chromium, so those count too);
 * - every /api/v1 response the page received matches the OpenAPI document (test/helpers/response-validator.ts);
 * - axe-core finds no serious or critical violation of WCAG 2.x A/AA (GB/T 37668-2019 maps onto these);
 * - the same page at 1280×800 and at a 390-wide phone screen, where nothing may scroll sideways;
 * - a screenshot of each, in test-results/screenshots/<test>-<page>-<viewport>.png (CI prints the folder).
 *
 * One Chromium per test file (`startBrowserRun`), a fresh context (storage, cookies) per `open`.
 */
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/config';
import { WEB_DIST } from '../../api/app';
import { startApi, type ApiHarness } from './api-harness';
import { waitFor } from './harness';
import { responseValidator, type ResponseValidator } from './response-validator';

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'screenshots');
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** WCAG 2.0 and 2.1, levels A and AA: what GB/T 37668-2019 asks of government web pages. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/** The browser: CHROMIUM_PATH, else Debian's package. Nothing here may download a browser. */
export function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(p)) throw new Error(`${p} not found: install Debian's chromium and fonts-noto-cjk (apt-get install -y chromium fonts-noto-cjk), or set CHROMIUM_PATH`);
  return p;
}

export interface BrowserRun {
  api: ApiHarness;
  /** The API's origin, where the web app is served (http://127.0.0.1:<port>). */
  origin: string;
  browser: Browser;
  /**
   * A new page (a tab) in a fresh browser context, or in the context of `besides` (its HTTP cache and local storage;
   * a tab has its own session storage, so a new tab starts signed out). `test` names its screenshots.
   */
  open(test: string, opts?: { viewport?: ViewportName; besides?: TestPage }): Promise<TestPage>;
  close(): Promise<void>;
}

/** `apiOptions`: as startApi's, e.g. a catalogue with services added from a temporary folder. */
export async function startBrowserRun(apiOptions: Parameters<typeof startApi>[0] = {}): Promise<BrowserRun> {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is not built: run `npm run build:web` (npm test builds it before jest)');
  const api = await startApi(apiOptions);
  const origin = new URL(api.base).origin;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
  } catch (err) {
    await api.close();
    throw err;
  }
  const validator = responseValidator(api.openapi);
  const axeSource = axe.source;
  const contexts: BrowserContext[] = [];
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    api,
    origin,
    browser,
    async open(test, opts = {}) {
      const viewport = opts.viewport ?? 'desktop';
      if (opts.besides) {
        const page = await opts.besides.page.context().newPage();
        await page.setViewportSize(VIEWPORTS[viewport]);
        return new TestPage(page, test, viewport, validator, axeSource, origin);
      }
      const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: origin });
      contexts.push(context);
      // A page that does not show what the test waits for fails in 15 s, not jest's 2 minutes.
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      return new TestPage(page, test, viewport, validator, axeSource, origin);
    },
    async close() {
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await api.close();
    },
  };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Loose view of the page's globals inside page.evaluate (the test tsconfig has no DOM types). */
type PageGlobals = {
  axe?: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> };
  document: { documentElement: { scrollWidth: number; clientWidth: number }; fonts: { ready: Promise<unknown> }; getAnimations: () => { finished: Promise<unknown>; effect: { getTiming: () => { iterations: number } } | null }[] };
  innerWidth: number;
  requestAnimationFrame: (cb: () => void) => void;
};

export class TestPage {
  /** Console errors, page errors and responses that do not match the OpenAPI document, since the page opened. */
  readonly problems: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly allowed: RegExp[] = [];
  /** /api/v1 responses seen and checked against the document. */
  responsesChecked = 0;

  constructor(
    readonly page: Page,
    readonly test: string,
    private viewport: ViewportName,
    private readonly validator: ResponseValidator,
    private readonly axeSource: string,
    readonly origin: string,
  ) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = `${msg.text()}${msg.location().url ? ` (${msg.location().url})` : ''}`;
      if (!this.allowed.some((r) => r.test(text))) this.problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (err) => this.problems.push(`page error: ${err.name}: ${err.message}`));
    page.on('response', (res) => {
      if (!new URL(res.url()).pathname.startsWith('/api/v1/')) return;
      const p = this.validate(res).finally(() => this.pending.delete(p));
      this.pending.add(p);
    });
  }

  private async validate(res: Response): Promise<void> {
    let text: string;
    try {
      text = await res.text();
    } catch {
      return; // the page navigated away before the body was read: nothing the page used
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: the validator checks the content type */
    }
    const violations = this.validator.check(res.request().method(), res.url(), res.status(), res.headers()['content-type'] ?? null, body, text);
    this.responsesChecked++;
    for (const v of violations) this.problems.push(`response does not match the OpenAPI document: ${v}`);
  }

  /** A console error the test provokes on purpose (e.g. a 404 that the page must explain), matched by pattern. */
  allowConsoleError(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  async goto(pathname: string): Promise<void> {
    await this.page.goto(pathname, { waitUntil: 'load' });
  }

  /** Fails on any console error, page error or undocumented response so far. */
  async expectNoProblems(): Promise<void> {
    await Promise.all([...this.pending]);
    if (this.problems.length > 0) throw new Error(`${this.test}: problems on the page:\n${this.problems.join('\n')}`);
  }

  /**
   * The page as it is now, at both viewports: no problems so far, no serious or critical axe violation, no sideways
   * scrolling on the phone, a screenshot of each. The page's own viewport is restored after.
   */
  async check(pageName: string, opts: { viewports?: ViewportName[] } = {}): Promise<void> {
    const order: ViewportName[] = opts.viewports ?? [this.viewport, ...(['desktop', 'phone'] as const).filter((v) => v !== this.viewport)];
    const home = this.viewport;
    for (const v of order) {
      await this.setViewport(v);
      await this.settle();
      await this.screenshot(pageName);
      await this.expectAccessible(pageName);
      if (v === 'phone') await this.expectNoSidewaysScroll(pageName);
    }
    await this.setViewport(home);
    await this.settle();
    await this.expectNoProblems();
  }

  async setViewport(v: ViewportName): Promise<void> {
    if (v === this.viewport && this.page.viewportSize()?.width === VIEWPORTS[v].width) return;
    await this.page.setViewportSize(VIEWPORTS[v]);
    this.viewport = v;
  }

  /** Fonts loaded, finite animations (antd's fades and slides) finished, two frames painted. */
  async settle(): Promise<void> {
    await this.page.evaluate(async () => {
      const w = globalThis as unknown as PageGlobals;
      await w.document.fonts.ready;
      const finite = w.document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
      await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
      await new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
    });
  }

  async screenshot(pageName: string): Promise<string> {
    const file = path.join(SCREENSHOT_DIR, `${slug(this.test)}-${slug(pageName)}-${this.viewport}.png`);
    await this.page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
    return file;
  }

  async expectAccessible(pageName: string): Promise<void> {
    const loaded = await this.page.evaluate(() => typeof (globalThis as unknown as PageGlobals).axe?.run === 'function');
    // Evaluated through the DevTools protocol, not as a <script>: the page's Content-Security-Policy stays on.
    if (!loaded) await this.page.evaluate(this.axeSource);
    const violations: AxeViolation[] = await this.page.evaluate(async (tags) => {
      const w = globalThis as unknown as PageGlobals;
      const result = await w.axe!.run(w.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
      }));
    }, AXE_TAGS);
    const blocking = violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''));
    if (blocking.length > 0) {
      throw new Error(
        `${this.test} ${pageName} (${this.viewport}): axe found ${blocking.length} serious or critical accessibility violation(s):\n` +
          blocking.map((v) => `- ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n'),
      );
    }
  }

  async expectNoSidewaysScroll(pageName: string): Promise<void> {
    const { scroll, width } = await this.page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      return { scroll: w.document.documentElement.scrollWidth, width: w.document.documentElement.clientWidth };
    });
    if (scroll > width + 1) throw new Error(`${this.test} ${pageName} (phone): the page scrolls sideways (${scroll} px wide content on a ${width} px screen)`);
  }

  /** Waits until the element has the keyboard focus (a dialog taking it, a panel moving it). */
  async waitForFocus(target: Locator, timeoutMs = 5_000): Promise<void> {
    await target.waitFor({ state: 'attached' });
    await waitFor(`${this.test}: the focus on ${String(target)}`, async () => ((await target.evaluate(isActive)) ? true : undefined), timeoutMs);
  }

  /** Presses Tab until `selector` has the focus (at most `max` presses): how a keyboard user reaches a control. */
  async tabTo(selector: string, max = 80): Promise<void> {
    const target = this.page.locator(selector).first();
    await target.waitFor({ state: 'visible' });
    for (let i = 0; i < max; i++) {
      if (await target.evaluate(isActive)) return;
      await this.page.keyboard.press('Tab');
    }
    throw new Error(`${this.test}: ${selector} not reached with ${max} presses of Tab`);
  }
}

/** In the page: whether the element has the focus. */
const isActive = (el: unknown) => el === (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
