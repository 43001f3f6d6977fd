import { existsSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../platform/logger.ts';
import { contentType, served, VendorModules, type ServedFile } from './vendor.ts';

/**
 * The web pages (SPEC S10, S12): `/` landing, `/admin` panel, `/play` player client, `/docs` API
 * reference, their files under `/web/*` (the repository's web/ folder) and the allow-listed
 * browser modules of node_modules under `/vendor/*` (src/web/vendor.ts). Everything is served by the
 * server itself: no CDN, so the pages work offline on a LAN.
 */

/** The pages' policy: only this origin, no inline script or style, no eval, never framed. */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const PAGES: Record<string, string> = {
  '/': 'landing/index.html',
  '/admin': 'admin/index.html',
  '/play': 'play/index.html',
  '/docs': 'docs/index.html',
};

/** The project root (web/ and node_modules/), found upwards: this file runs from src/web and from dist/src/web. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'web')) && existsSync(path.join(dir, 'node_modules'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(import.meta.dirname, '../..');
}

const root = projectRoot();

/**
 * Server modules the pages import as they are, under `/web/shared/<name>.js`, so that a rule the
 * browser previews is the server's own (the template syntax): free of imports and of TypeScript that
 * only compiles. From a build they are the compiled .js; from the sources, the .ts with its types
 * erased (Node's own stripper: what it runs is what the browser gets).
 */
const SHARED: Record<string, string> = {
  'template-syntax.js': path.join(import.meta.dirname, '../push/template-syntax'),
};

async function sharedModule(name: string): Promise<ServedFile | undefined> {
  const base = SHARED[name];
  if (!base) return undefined;
  if (existsSync(`${base}.js`)) return served(await readFile(`${base}.js`), 'text/javascript; charset=utf-8');
  const source = await readFile(`${base}.ts`, 'utf8');
  // stripTypeScriptTypes warns once that it is experimental: Node runs these very sources with it.
  const emit = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    return served(stripTypeScriptTypes(source), 'text/javascript; charset=utf-8');
  } finally {
    process.emitWarning = emit;
  }
}

function send(req: Request, res: Response, file: ServedFile): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', file.type);
  // Revalidated on every load (ETag → 304): a deploy is seen at once, an unchanged file costs no body.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', file.etag);
  if (req.headers['if-none-match'] === file.etag) {
    res.status(304).end();
    return;
  }
  res.send(file.body);
}

export function webRoutes(deps: { logger: Logger; webDir?: string }): Router {
  const webDir = deps.webDir ?? path.join(root, 'web');
  const log = deps.logger.child({ module: 'web' });
  // Built on first use: a process that never serves a page never reads node_modules for it.
  let vendor: Promise<VendorModules> | undefined;
  const vendorModules = () => (vendor ??= VendorModules.build(root).catch((err) => {
    vendor = undefined;
    log.error({ err }, 'browser modules could not be prepared');
    throw err;
  }));
  // Our own files, with bare imports rewritten; re-read when the file changes (edit and reload).
  const cache = new Map<string, { mtimeMs: number; file: ServedFile }>();

  async function webFile(relative: string): Promise<ServedFile | undefined> {
    const full = path.resolve(webDir, relative);
    const type = contentType(full);
    if (!type || !full.startsWith(webDir + path.sep) || relative.split('/').some((s) => s.startsWith('.'))) return undefined;
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = cache.get(full);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit.file;
    let body: Buffer | string = await readFile(full);
    if (type.startsWith('text/javascript')) {
      const modules = await vendorModules();
      body = VendorModules.rewrite(body.toString('utf8'), (spec) => modules.resolve(spec));
    }
    const file = served(body, type);
    cache.set(full, { mtimeMs: info.mtimeMs, file });
    return file;
  }

  const r = Router();
  for (const [url, page] of Object.entries(PAGES)) {
    r.get(url, async (req, res, next) => {
      const file = await webFile(page);
      if (!file) return next();
      send(req, res, file);
    });
  }
  r.get('/favicon.ico', async (req, res, next) => {
    const file = await webFile('lib/favicon.svg');
    if (!file) return next();
    send(req, res, file);
  });
  const shared = new Map<string, Promise<ServedFile | undefined>>();
  r.get('/web/shared/:name', async (req, res, next) => {
    const name = (req.params as { name: string }).name;
    if (!Object.hasOwn(SHARED, name)) return next();
    if (!shared.has(name)) shared.set(name, sharedModule(name));
    const file = await shared.get(name)!;
    if (!file) return next();
    send(req, res, file);
  });
  r.get('/web/*file', async (req, res, next) => {
    const file = await webFile((req.params as { file: string[] }).file.join('/'));
    if (!file) return next();
    send(req, res, file);
  });
  r.get('/vendor/*file', async (req, res, next) => {
    const file = (await vendorModules()).file(req.path);
    if (!file) return next();
    send(req, res, file);
  });
  return r;
}
