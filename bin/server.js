#!/usr/bin/env node
// Plain JavaScript on purpose: this must run, and explain itself, on any Node version.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
const args = process.argv.slice(2);
// `--production` (npm run start:prod): production mode, and so its refusals, cannot be skipped by
// forgetting NODE_ENV; a NODE_ENV that says otherwise is a mistake worth stopping for.
if (args.includes('--production')) {
  const env = process.env.NODE_ENV;
  if (env && env !== 'production') {
    console.error(`arena-server: npm run start:prod runs in production, but NODE_ENV=${env}; unset NODE_ENV (or use npm start for development)`);
    process.exit(78); // EX_CONFIG
  }
  process.env.NODE_ENV = 'production';
}
const entry = args.find((a) => !a.startsWith('--')) ?? new URL('../src/main.ts', import.meta.url).href;
await import(entry.startsWith('file:') ? entry : new URL(entry, `file://${process.cwd()}/`).href);
