#!/usr/bin/env node
// Plain JavaScript on purpose: this must run, and explain itself, on any Node version.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
const entry = process.argv[2] ?? new URL('../src/main.ts', import.meta.url).href;
await import(entry.startsWith('file:') ? entry : new URL(entry, `file://${process.cwd()}/`).href);
