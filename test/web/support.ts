/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser). Every
 * page is watched: a console error or an uncaught exception fails the test, except the failed
 * HTTP loads a test declares it causes on purpose (`expectConsole`: Chromium logs every 4xx answer
 * of a fetch as a console error, and some tests exist to provoke one).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hookHandle, useServer, type ServerEnv, type TestServer } from '../support/server.ts';
import { ADMIN_PASSWORD, ADMIN_USER } from '../support/users.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

let skipLinePrinted = false;

/** In a suite's `before`: skips it with one line where Chromium is missing (fails under CI=true). */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  const line = `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(line);
  if (!skipLinePrinted) console.log(`  ${line}`);
  skipLinePrinted = true;
  ctx.skip();
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * The set-up of a browser describe block: skipped without Chromium (before any server starts), one
 * server with these settings, one Chromium for the block, and every page checked for errors and
 * closed after each test. The handles are used in hooks and tests, as `useServer`'s.
 */
export function useBrowser(env: ServerEnv): { server: TestServer; browser: Browser } {
  let current: Browser | undefined;
  after(async () => {
    await current?.close();
  });
  before(function () {
    requireChromium(this);
  });
  const server = useServer(env);
  before(async () => {
    current = await launchBrowser();
  });
  afterEach(closeWatchedPages);
  return { server, browser: hookHandle(() => current, 'useBrowser: no browser is running (browser') };
}

export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 860 };

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions so far. */
  problems: string[];
  /** Declares console errors this test provokes on purpose (a refused API call). */
  expectConsole(pattern: RegExp): void;
}

const watched: WatchedPage[] = [];

/** A page in its own browser context (its own storage: another player), watched for errors. */
export async function openPage(browser: Browser, server: TestServer, pathname: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? DESKTOP_VIEWPORT, baseURL: server.url });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const allowed: RegExp[] = [];
  const w: WatchedPage = { page, context, problems: [], expectConsole: (p) => allowed.push(p) };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = `${msg.text()} (${msg.location().url})`;
    if (!allowed.some((p) => p.test(text))) w.problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (err) => w.problems.push(`uncaught: ${String(err)}${err.stack ? `\n${err.stack}` : ''}`));
  watched.push(w);
  await page.goto(pathname);
  return w;
}

/** Fills the panel's login form with the admin's name and password and submits it. */
export async function submitAdminLogin(w: WatchedPage): Promise<void> {
  const form = w.page.getByTestId('admin-login');
  await form.getByLabel('User').fill(ADMIN_USER);
  await form.getByLabel('Password').fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** The admin panel at `hash`, logged in: its sections' menu is drawn. */
export async function adminPage(browser: Browser, server: TestServer, hash = ''): Promise<WatchedPage> {
  const w = await openPage(browser, server, `/admin${hash}`);
  await submitAdminLogin(w);
  await w.page.getByRole('navigation', { name: 'Sections' }).waitFor();
  return w;
}

/** Fills /play's login form with a player's phone and password and submits it. */
export async function submitPlayLogin(w: WatchedPage, user: { phone: string; password: string }): Promise<void> {
  const form = w.page.getByTestId('login-form');
  await form.getByLabel('Phone').fill(user.phone);
  await form.getByLabel('Password').fill(user.password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** /play logged in as `user`: the push stream is live and the lobby's online count drawn. */
export async function playAs(browser: Browser, server: TestServer, user: { phone: string; password: string }): Promise<WatchedPage> {
  const w = await openPage(browser, server, '/play');
  await submitPlayLogin(w, user);
  await w.page.getByTestId('stream-state').getByText('live').waitFor();
  await w.page.getByTestId('online-count').waitFor();
  return w;
}

/** Saves a screenshot of every page under test-artifacts/<name>[-n].png. */
export async function screenshot(name: string, ...pages: WatchedPage[]): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [i, w] of pages.entries()) {
    await w.page.screenshot({ path: path.join(ARTIFACTS, `${name}${pages.length > 1 ? `-${i + 1}` : ''}.png`), fullPage: true });
  }
}

/** In `afterEach`: fails on any unexpected console error or exception, then closes the pages. */
export async function closeWatchedPages(): Promise<void> {
  const all = watched.splice(0);
  const problems = all.flatMap((w) => w.problems);
  await Promise.all(all.map((w) => w.context.close().catch(() => undefined)));
  assert.deepEqual(problems, [], 'the pages logged errors');
}
