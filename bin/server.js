#!/usr/bin/env node
// Plain JavaScript on purpose: this line must run, and explain itself, on any Node version.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
  console.error(`arena-server needs Node.js >= 22.17 (Node 24 is pinned in package.json); this is ${process.version}. Run it through npm (npm start) or node_modules/.bin/node.`);
  process.exit(1);
}
const entry = process.argv[2] ?? new URL('../src/main.ts', import.meta.url).href;
await import(entry.startsWith('file:') ? entry : new URL(entry, `file://${process.cwd()}/`).href);
