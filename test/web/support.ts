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
import type { TestServer } from '../support/server.ts';

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
