// /docs: the HTTP API reference, drawn from the server's own OpenAPI document (/api/v1/openapi.json).
import { html, mount, useState } from '../lib/html.js';
import { request } from '../lib/api.js';
import { ErrorNote, useLoad } from '../lib/ui.js';

/** A JSON schema as a short TypeScript-like type: `{ id: string, tags?: string[] }`. */
function typeText(s, depth = 0) {
  if (!s || typeof s !== 'object') return 'unknown';
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  for (const key of ['anyOf', 'oneOf']) if (s[key]) return s[key].map((x) => typeText(x, depth)).join(' | ');
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const text = types.map((t) => {
    if (t === 'array') return `${typeText(s.items, depth)}[]`;
    if (t === 'object' || (!t && s.properties)) {
      const props = Object.entries(s.properties ?? {});
      if (!props.length) return s.additionalProperties && s.additionalProperties !== true ? `{ [key]: ${typeText(s.additionalProperties, depth)} }` : 'object';
      const pad = '  '.repeat(depth + 1);
      const required = new Set(s.required ?? []);
      return `{\n${props.map(([k, v]) => `${pad}${k}${required.has(k) ? '' : '?'}: ${typeText(v, depth + 1)}`).join(',\n')}\n${'  '.repeat(depth)}}`;
    }
    return t ?? 'unknown';
  });
  return text.join(' | ');
}

const AUTH = { accessToken: 'player token', adminToken: 'admin token' };

function Route({ path, method, op }) {
  const id = `${method}-${path}`.replace(/[^\w-]/g, '_');
  const auth = (op.security ?? []).flatMap((s) => Object.keys(s)).map((k) => AUTH[k] ?? k);
  const body = op.requestBody?.content?.['application/json']?.schema;
  const params = op.parameters ?? [];
  return html`<section class="card route stack" id=${id}>
    <h3><span class=${`method ${method}`}>${method}</span><span>/api/v1${path}</span>${auth.length ? html`<span class="badge accent">${auth.join(' or ')}</span>` : html`<span class="badge">public</span>`}</h3>
    <p>${op.summary}</p>
    ${params.length ? html`<h4>Parameters</h4><ul>${params.map((p) => html`<li><code>${p.name}</code> <span class="muted">(${p.in}${p.required ? ', required' : ''})</span> ${typeText(p.schema)}</li>`)}</ul>` : null}
    ${body ? html`<h4>Body</h4><pre>${typeText(body)}</pre>` : null}
    <h4>Answers</h4>
    ${Object.entries(op.responses ?? {}).map(([status, r]) => {
      const schema = Object.values(r.content ?? {})[0]?.schema;
      return html`<div><strong>${status}</strong> <span class="muted">${r.description ?? ''}</span>${schema ? html`<pre>${typeText(schema)}</pre>` : null}</div>`;
    })}
  </section>`;
}

function Docs() {
  const doc = useLoad(() => request('GET', '/openapi.json'));
  const [filter, setFilter] = useState('');
  const d = doc.data;
  const routes = d ? Object.entries(d.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op }))) : [];
  const shown = routes.filter((r) => `${r.method} ${r.path} ${r.op.summary}`.toLowerCase().includes(filter.toLowerCase()));
  return html`<div>
    <header class="topbar"><a class="brand" href="/"><img src="/web/lib/favicon.svg" alt="" />arena</a><span class="muted">API reference ${d ? `· ${d.info.version}` : ''}</span>
      <span class="spacer"></span><a href="/api/v1/openapi.json">openapi.json</a></header>
    <main class="page docs">
      <nav class="toc card" aria-label="Routes">
        <input aria-label="Filter routes" placeholder="Filter…" value=${filter} onInput=${(e) => setFilter(e.target.value)} />
        <ul>${shown.map((r) => html`<li><a href=${`#${`${r.method}-${r.path}`.replace(/[^\w-]/g, '_')}`}><span class="muted">${r.method.toUpperCase()}</span> ${r.path}</a></li>`)}</ul>
      </nav>
      <div class="stack" data-testid="routes">
        <p class="muted">Errors are <code>{"error": {"code", "message"}}</code>; rooms, messages and close codes are in the project's API.md. ${routes.length} calls.</p>
        <${ErrorNote} error=${doc.error} />
        ${shown.map((r) => html`<${Route} key=${`${r.method} ${r.path}`} ...${r} />`)}
      </div>
    </main>
  </div>`;
}

mount(Docs);
