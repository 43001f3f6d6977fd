#!/usr/bin/env node
// Plain JavaScript on purpose: this must run, and explain itself, on any Node version.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './node-version.js';

// 78 (EX_CONFIG), as for a refused configuration: PM2 is told not to restart what cannot start.
const refuse = (line) => {
  console.error(line);
  process.exit(78);
};

const problem = nodeVersionProblem(process.versions.node);
if (problem) refuse(problem);
const args = process.argv.slice(2);
// `--production` (npm run start:prod): production mode, and so its refusals, cannot be skipped by
// forgetting NODE_ENV; a NODE_ENV that says otherwise is a mistake worth stopping for.
if (args.includes('--production')) {
  const env = process.env.NODE_ENV;
  if (env && env !== 'production') {
    refuse(`arena-server: npm run start:prod runs in production, but NODE_ENV=${env}; unset NODE_ENV (or use npm start for development)`);
  }
  process.env.NODE_ENV = 'production';
}
const entry = args.find((a) => !a.startsWith('--')) ?? new URL('../src/main.ts', import.meta.url).href;
const url = entry.startsWith('file:') ? entry : new URL(entry, `file://${process.cwd()}/`).href;
if (!existsSync(fileURLToPath(url))) refuse(`${fileURLToPath(url)} does not exist: run npm run build first`);
await import(url);
