/**
 * Mocha root hooks (loaded by test/run.ts with --require): in parallel mode root hooks run once per
 * test file, so each file's wall time, set-up included, is printed as one `[file-time]` line. The
 * runner sums them up and names the slowest files: where `npm test`'s time goes.
 */
import path from 'node:path';
import type { Context } from 'mocha';

const root = path.resolve(import.meta.dirname, '../..');
let started = 0;

export const mochaHooks = {
  beforeAll(): void {
    started = performance.now();
  },
  afterAll(this: Context): void {
    // Serial runs (no --parallel) load every file under one root: no per-file time to tell.
    const files = new Set((this.test?.parent?.suites ?? []).map((s) => s.file).filter(Boolean));
    const [file] = files;
    if (files.size !== 1 || !file) return;
    console.log(`[file-time] ${((performance.now() - started) / 1000).toFixed(1)} s ${path.relative(root, file)}`);
  },
};
