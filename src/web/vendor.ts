import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { init, parse } from 'es-module-lexer';

/**
 * Browser ES modules straight from node_modules, with no bundler and no import map.
 *
 * An import map would have to be an inline <script> (`<script type="importmap" src>` is not
 * supported), which the pages' CSP (`script-src 'self'`) forbids. So the server rewrites every
 * import specifier of a served module to the absolute URL it resolves to: `from "preact"` becomes
 * `from "/vendor/preact/dist/preact.mjs"`. The pages import only the ENTRIES below; what is served
 * under /vendor is exactly their static module graph, built once, and nothing else of node_modules.
 */

/** Bare specifiers the pages may import: the explicit allow-list. */
export const ENTRIES = ['preact', 'preact/hooks', 'htm', '@colyseus/sdk', 'uplot'] as const;

/** Non-module files the pages link to (stylesheets). */
export const ASSETS = ['uplot/dist/uPlot.min.css'] as const;

/** Packages the entries may pull in; a bare import of anything else stops the build with its name. */
const PACKAGES = new Set(['preact', 'htm', 'uplot', '@colyseus/sdk', '@colyseus/schema', '@colyseus/shared-types', 'msgpackr']);

/** Node-only imports replaced by a browser module of ours (the SDK uses `globalThis.WebSocket` first). */
const SHIMS: Record<string, string> = { ws: '/web/lib/shims/ws.js' };

/** Export conditions of a browser, in the order a bundler for the web would accept them. */
const CONDITIONS = new Set(['browser', 'import', 'module', 'default']);

export interface ServedFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function contentType(file: string): string | undefined {
  return TYPES[path.extname(file)];
}

export function served(body: Buffer | string, type: string): ServedFile {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: buf, type, etag: `"${createHash('sha1').update(buf).digest('base64url')}"` };
}

function splitSpecifier(spec: string): { pkg: string; sub: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return { pkg: parts.slice(0, n).join('/'), sub: rest ? `./${rest}` : '.' };
}

function pickCondition(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = pickCondition(t);
      if (r) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (!CONDITIONS.has(key)) continue;
      const r = pickCondition(value);
      if (r) return r;
    }
  }
  return undefined;
}

/** The file of `sub` ("." or "./x") in a package, by its `exports`, else `module`/`main` or the path itself. */
function resolveInPackage(dir: string, sub: string): string | undefined {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const exp = pkg.exports as Record<string, unknown> | string | undefined;
  if (exp !== undefined) {
    const map = typeof exp === 'string' || !Object.keys(exp).some((k) => k.startsWith('.')) ? { '.': exp } : exp;
    let target: string | undefined;
    if (map[sub] !== undefined) target = pickCondition(map[sub]);
    else {
      for (const [key, value] of Object.entries(map)) {
        const star = key.indexOf('*');
        if (star < 0 || !sub.startsWith(key.slice(0, star)) || !sub.endsWith(key.slice(star + 1))) continue;
        const middle = sub.slice(star, sub.length - (key.length - star - 1));
        target = pickCondition(value)?.replaceAll('*', middle);
        if (target) break;
      }
    }
    return target ? path.join(dir, target) : undefined;
  }
  if (sub === '.') return path.join(dir, String(pkg.module ?? pkg.main ?? 'index.js'));
  return path.join(dir, sub);
}

function withExtension(file: string): string | undefined {
  for (const candidate of [file, `${file}.js`, `${file}.mjs`, path.join(file, 'index.js'), path.join(file, 'index.mjs')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The served module graph of the allow-listed entries. `resolve(spec)` gives the URL the pages'
 * own modules should import for a bare specifier; `file(url)` the rewritten module or asset.
 */
export class VendorModules {
  private readonly nodeModules: string;
  private readonly files = new Map<string, ServedFile>();
  private readonly entries = new Map<string, string>();

  private constructor(root: string) {
    this.nodeModules = path.join(root, 'node_modules');
  }

  static async build(root: string): Promise<VendorModules> {
    await init;
    const v = new VendorModules(root);
    for (const spec of ENTRIES) v.entries.set(spec, v.add(v.resolveBare(spec, root, spec)));
    for (const asset of ASSETS) {
      const file = path.join(v.nodeModules, asset);
      v.files.set(v.urlOf(file), served(readFileSync(file), contentType(file)!));
    }
    return v;
  }

  /** URL of an allow-listed bare specifier (or a shim), else undefined. */
  resolve(spec: string): string | undefined {
    return this.entries.get(spec) ?? SHIMS[spec];
  }

  file(url: string): ServedFile | undefined {
    return this.files.get(url);
  }

  urls(): string[] {
    return [...this.files.keys()];
  }

  /** Rewrites the import specifiers of a module with `to(spec)`; a specifier `to` leaves undefined stays. */
  static rewrite(source: string, to: (spec: string) => string | undefined): string {
    const [imports] = parse(source);
    let out = '';
    let last = 0;
    for (const imp of imports) {
      if (imp.type !== 'static' && imp.type !== 'reexport-star' && imp.type !== 'dynamic') continue;
      const spec = imp.specifier;
      if (spec === undefined) continue;
      const url = to(spec);
      if (url === undefined) continue;
      out += source.slice(last, imp.start) + (imp.type === 'dynamic' ? JSON.stringify(url) : url);
      last = imp.end;
    }
    // Source maps are not served: a DevTools fetch of one would only 404.
    return (out + source.slice(last)).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }

  private urlOf(file: string): string {
    return `/vendor/${path.relative(this.nodeModules, file).split(path.sep).join('/')}`;
  }

  /** Finds a package from `fromDir` upwards, as Node does (nested node_modules first). */
  private resolveBare(spec: string, fromDir: string, importer: string): string {
    const { pkg, sub } = splitSpecifier(spec);
    if (!PACKAGES.has(pkg)) throw new Error(`web vendor modules: "${spec}" imported by ${importer} is not an allowed package`);
    const root = path.dirname(this.nodeModules);
    for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', pkg);
      if (path.basename(dir) !== 'node_modules' && existsSync(path.join(candidate, 'package.json'))) {
        const file = resolveInPackage(candidate, sub);
        const found = file && withExtension(file);
        if (!found) throw new Error(`web vendor modules: cannot resolve "${spec}" in ${candidate}`);
        return found;
      }
      if (dir === root) break;
    }
    throw new Error(`web vendor modules: package of "${spec}" (imported by ${importer}) is not installed`);
  }

  /** Adds a module and everything it imports; returns its URL. */
  private add(file: string): string {
    const url = this.urlOf(file);
    if (this.files.has(url)) return url;
    this.files.set(url, served('', 'text/javascript; charset=utf-8'));
    const source = readFileSync(file, 'utf8');
    const code = VendorModules.rewrite(source, (spec) => {
      if (SHIMS[spec]) return SHIMS[spec];
      if (spec.startsWith('./') || spec.startsWith('../')) {
        const target = withExtension(path.resolve(path.dirname(file), spec));
        if (!target || !target.startsWith(this.nodeModules)) throw new Error(`web vendor modules: cannot resolve "${spec}" from ${file}`);
        return this.add(target);
      }
      if (/^[a-z]+:/i.test(spec) || spec.startsWith('/')) return undefined;
      return this.add(this.resolveBare(spec, path.dirname(file), file));
    });
    this.files.set(url, served(code, 'text/javascript; charset=utf-8'));
    return url;
  }
}
