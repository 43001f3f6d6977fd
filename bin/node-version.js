// Plain JavaScript on purpose: it must load, and explain itself, on any Node version.
export const REQUIRED = { major: 22, minor: 17 };

/** The one-line refusal for a Node version that cannot run the server, or null when it can. */
export function nodeVersionProblem(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  if (major > REQUIRED.major || (major === REQUIRED.major && minor >= REQUIRED.minor)) return null;
  return `arena-server needs Node.js >= ${REQUIRED.major}.${REQUIRED.minor} (Node 24 is pinned in package.json); this is v${String(version).replace(/^v/, '')}. Run it through npm (npm start) or node_modules/.bin/node.`;
}
