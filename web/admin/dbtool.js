// The database tool: entities and fields from the ORM metadata, rows filtered and paged, typed edits.
import { html, useState } from '../lib/html.js';
import { ErrorNote, useLoad, useSubmit, askConfirm } from '../lib/ui.js';
import { api } from './session.js';

/** The primary key (none when composite: such rows are edited through their feature). */
function keyOf(entity) {
  const keys = entity.fields.filter((f) => f.primary);
  return keys.length === 1 ? keys[0].name : undefined;
}

function show(value) {
  if (value === null || value === undefined) return html`<span class="muted">null</span>`;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The text an input holds for a value, and the value an input's text means for a field type. */
const toText = (f, v) => (v === null || v === undefined ? '' : f.type === 'json' ? JSON.stringify(v, null, 2) : String(v));
function fromText(f, text) {
  if (text === '' && f.nullable) return null;
  if (f.type === 'number') return text.trim() === '' ? text : Number(text);
  if (f.type === 'boolean') return text === 'true';
  if (f.type === 'json') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function Editor({ entity, row, onSaved }) {
  const fields = entity.fields.filter((f) => !f.hidden);
  const key = keyOf(entity);
  const [draft, setDraft] = useState(Object.fromEntries(fields.map((f) => [f.name, toText(f, row[f.name])])));
  const changed = fields.filter((f) => !f.readOnly && draft[f.name] !== toText(f, row[f.name]));
  const form = useSubmit(async () => {
    if (!(await askConfirm(`Save ${changed.length} field(s) of ${entity.name} ${row[key]} directly in the database?`, { action: 'Save' }))) return;
    const patch = Object.fromEntries(changed.map((f) => [f.name, fromText(f, draft[f.name])]));
    const res = await api('PATCH', `/admin/db/${entity.name}/${encodeURIComponent(row[key])}`, { body: patch });
    onSaved(res.row);
  }, { done: 'Row saved' });
  return html`<form class="card stack" onSubmit=${form.submit} data-testid="row-editor">
    <h2>${entity.name} <span class="mono">${row[key]}</span></h2>
    ${fields.map((f) => {
      const set = (e) => setDraft({ ...draft, [f.name]: e.target.value });
      const control = f.type === 'boolean'
        ? html`<select name=${f.name} disabled=${f.readOnly} value=${draft[f.name]} onChange=${set}>${f.nullable ? html`<option value="">null</option>` : null}<option>true</option><option>false</option></select>`
        : f.type === 'json' ? html`<textarea name=${f.name} disabled=${f.readOnly} value=${draft[f.name]} onInput=${set} />`
          : html`<input name=${f.name} disabled=${f.readOnly} value=${draft[f.name]} maxlength=${f.maxLength} inputmode=${f.type === 'number' ? 'decimal' : undefined}
              placeholder=${f.nullable ? 'empty: null' : f.type === 'datetime' ? 'ISO-8601, e.g. 2026-12-31T00:00:00.000Z' : ''} onInput=${set} />`;
      return html`<label class="field" key=${f.name}>
        <span class="label" title=${f.why}>${f.name} <span class="muted">${f.type}${f.nullable ? ', nullable' : ''}${f.readOnly ? ', read-only' : ''}</span></span>
        ${control}
        ${form.errors[f.name] ? html`<small class="field-error" role="alert" data-field=${f.name}>${form.errors[f.name]}</small>` : null}
      </label>`;
    })}
    <div class="row"><button class="primary" disabled=${form.busy || !changed.length}>Save ${changed.length ? `(${changed.length})` : ''}</button></div>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

function Rows({ entity }) {
  const [page, setPage] = useState(1);
  const [filterText, setFilterText] = useState('');
  const [filters, setFilters] = useState([]);
  const [editing, setEditing] = useState();
  const rows = useLoad(() => api('GET', `/admin/db/${entity.name}`, { query: { page, pageSize: 25, filter: filters } }), [entity.name, page, filters.join('\n')]);
  const fields = entity.fields.filter((f) => !f.hidden);
  const key = keyOf(entity);
  const d = rows.data;
  return html`<div class="stack">
    <form class="row" onSubmit=${(e) => { e.preventDefault(); setPage(1); setFilters(filterText.split(/\s+/).filter(Boolean)); }}>
      <input class="grow" aria-label="Filters" placeholder="field:value  field:>10  name:*ada*  field:null" value=${filterText} onInput=${(e) => setFilterText(e.target.value)} />
      <button class="primary">Filter</button>
    </form>
    <${ErrorNote} error=${rows.error} />
    <section class="card stack">
      <div class="table-wrap"><table data-testid="db-rows">
        <thead><tr>${fields.map((f) => html`<th>${f.name}</th>`)}</tr></thead>
        <tbody>${(d?.rows ?? []).map((r, i) => html`<tr key=${key ? r[key] : i} class=${key ? 'clickable' : ''} onClick=${() => key && setEditing(r)}>
          ${fields.map((f) => html`<td class="mono">${show(r[f.name])}</td>`)}</tr>`)}</tbody>
      </table></div>
      ${d ? html`<div class="row between"><span class="muted">${d.total} rows${key ? ' · click a row to edit it' : ' · composite key: edit through its feature'}</span><span class="row">
        <button class="small" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
        <button class="small" disabled=${page * d.pageSize >= d.total} onClick=${() => setPage(page + 1)}>Next</button></span></div>` : null}
    </section>
    ${editing ? html`<${Editor} key=${editing[key]} entity=${entity} row=${editing} onSaved=${(row) => { setEditing(row); void rows.reload(); }} />` : null}
  </div>`;
}

export function DbTool({ params }) {
  const meta = useLoad(() => api('GET', '/admin/db'));
  const entities = meta.data?.entities ?? [];
  const name = params?.[0] ?? entities[0]?.name;
  const entity = entities.find((e) => e.name === name);
  return html`<div class="stack">
    <div class="row between"><h1>Database</h1>
      <select aria-label="Entity" value=${name} onChange=${(e) => { location.hash = `#/db/${e.target.value}`; }}>
        ${entities.map((e) => html`<option value=${e.name}>${e.name} (${e.table})</option>`)}
      </select></div>
    <p class="muted">Secrets (password hashes, tokens) are never shown nor writable; every edit is audited.</p>
    <${ErrorNote} error=${meta.error} />
    ${entity ? html`<${Rows} key=${entity.name} entity=${entity} />` : null}
  </div>`;
}
