import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../platform/errors.ts';

/**
 * Game data downloads (S8): engine files and config tables under one directory, described by a
 * manifest and served with strong ETags (their sha256) and single byte ranges for resumable
 * downloads.
 *
 * The manifest is rebuilt from the directory on every request: a walk with one stat per file,
 * hashing only files whose (size, mtime, ctime, inode) changed since they were last hashed. So a
 * file added, replaced or removed by an operator is visible on the next request, with no watcher
 * that could miss an event on some filesystems.
 *
 * Nothing outside the directory is ever read: request paths are decoded once and refused when they
 * hold `..`/`.` segments, backslashes, NUL bytes, empty segments or dot-files, and the resolved real
 * path (symlinks followed) must still lie inside the directory's real path.
 */

export type DownloadKind = 'engine' | 'config-csv' | 'config-json' | 'config-sqlite';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  kind: DownloadKind;
}

export interface Manifest {
  /** First 16 hex digits of the sha256 of the file list: changes whenever any file does. */
  version: string;
  files: ManifestFile[];
}

export interface ByteRange {
  start: number;
  end: number;
}

export interface DownloadFile extends ManifestFile {
  /** Strong ETag: the quoted sha256. */
  etag: string;
  mtime: Date;
  open(range?: ByteRange): ReadStream;
}

export function kindOf(file: string): DownloadKind {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'config-csv';
  if (ext === '.json') return 'config-json';
  if (ext === '.sqlite' || ext === '.sqlite3' || ext === '.db') return 'config-sqlite';
  return 'engine';
}

interface HashEntry {
  signature: string;
  sha256: string;
}

export class DownloadService {
  private readonly dir: string;
  private readonly hashes = new Map<string, HashEntry>();
  private readonly maxFiles: number;

  constructor(deps: { dir: string; maxFiles?: number }) {
    this.dir = path.resolve(deps.dir);
    this.maxFiles = deps.maxFiles ?? 10_000;
  }

  async manifest(): Promise<Manifest> {
    const root = await this.rootReal();
    const files: ManifestFile[] = [];
    if (root) await this.walk(root, root, '', files);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // Forget hashes of files that are gone, so the cache never outgrows the directory.
    const present = new Set(files.map((f) => f.path));
    for (const key of this.hashes.keys()) if (!present.has(key)) this.hashes.delete(key);
    const version = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
    return { version, files };
  }

  /** One file by its manifest path (raw, still percent-encoded as it came in the URL). */
  async file(rawPath: string): Promise<DownloadFile> {
    const rel = safeRelativePath(rawPath);
    const root = await this.rootReal();
    if (!root) throw notFound(rel);
    let real: string;
    try {
      real = await realpath(path.join(root, ...rel.split('/')));
    } catch {
      throw notFound(rel);
    }
    if (!inside(root, real)) throw notFound(rel);
    const st = await stat(real).catch(() => undefined);
    if (!st?.isFile()) throw notFound(rel);
    const sha256 = await this.hashOf(rel, real, st);
    return {
      path: rel,
      size: st.size,
      sha256,
      kind: kindOf(rel),
      etag: `"${sha256}"`,
      mtime: st.mtime,
      open: (range) => createReadStream(real, range ? { start: range.start, end: range.end } : {}),
    };
  }

  private async rootReal(): Promise<string | undefined> {
    try {
      return await realpath(this.dir);
    } catch {
      return undefined; // no directory yet: an empty manifest
    }
  }

  private async walk(root: string, dir: string, prefix: string, out: ManifestFile[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // removed while walking
    }
    for (const entry of entries) {
      if (out.length >= this.maxFiles) return;
      if (entry.name.startsWith('.') || !safeSegment(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      let target = full;
      if (entry.isSymbolicLink()) {
        // A link is listed only when it resolves inside the directory (exactly what file() serves).
        try {
          target = await realpath(full);
        } catch {
          continue;
        }
        if (!inside(root, target)) continue;
      }
      const st = await stat(target).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        if (entry.isSymbolicLink()) continue; // no cycles through linked directories
        await this.walk(root, full, rel, out);
      } else if (st.isFile()) {
        const sha256 = await this.hashOf(rel, target, st).catch(() => undefined);
        if (sha256) out.push({ path: rel, size: st.size, sha256, kind: kindOf(rel) });
      }
    }
  }

  private async hashOf(rel: string, real: string, st: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): Promise<string> {
    const signature = `${real}|${st.size}|${st.mtimeMs}|${st.ctimeMs}|${st.ino}`;
    const cached = this.hashes.get(rel);
    if (cached?.signature === signature) return cached.sha256;
    const sha256 = await new Promise<string>((resolve, reject) => {
      const hash = createHash('sha256');
      createReadStream(real).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
    });
    this.hashes.set(rel, { signature, sha256 });
    return sha256;
  }
}

function notFound(rel: string): AppError {
  return new AppError('NOT_FOUND', `path: ${rel} is not a downloadable file`);
}

function inside(root: string, real: string): boolean {
  return real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function safeSegment(seg: string): boolean {
  return seg !== '' && seg !== '.' && seg !== '..' && !/[\\\0]/.test(seg) && !seg.startsWith('.');
}

/**
 * The relative path of a request, decoded exactly once. Anything that could climb out of the
 * directory or name something the manifest never lists is refused with INVALID_INPUT.
 */
export function safeRelativePath(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new AppError('INVALID_INPUT', 'path: malformed percent-encoding');
  }
  if (!decoded || decoded.length > 1024) throw new AppError('INVALID_INPUT', 'path: must be 1 to 1024 characters');
  if (decoded.includes('\0')) throw new AppError('INVALID_INPUT', 'path: must not contain NUL bytes');
  if (decoded.includes('\\')) throw new AppError('INVALID_INPUT', 'path: must not contain backslashes');
  if (decoded.startsWith('/') || /^[A-Za-z]:/.test(decoded)) throw new AppError('INVALID_INPUT', 'path: must be relative');
  const segments = decoded.split('/');
  if (!segments.every(safeSegment)) {
    throw new AppError('INVALID_INPUT', 'path: must not contain empty, "." or ".." segments or dot-files');
  }
  return segments.join('/');
}

/**
 * A single `bytes=` range of a file of `size` bytes: undefined when the header is absent,
 * malformed or names several ranges (then the whole file is sent, as RFC 9110 allows), 'unsatisfiable'
 * when it starts past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined; // syntactically invalid: ignore
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** If-None-Match matches an ETag (weak comparison, as RFC 9110 prescribes for this header). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(etag);
}
