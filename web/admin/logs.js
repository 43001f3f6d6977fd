// Logs by kind with filters (time, user, operation) and paging by cursor.
import { html, useState, useEffect } from '../lib/html.js';
import { ErrorNote, Field } from '../lib/ui.js';
import { dateTime, json, localToIso } from '../lib/format.js';
import { api } from './session.js';

export const LOG_KINDS = ['behavior', 'login', 'audit', 'room', 'broadcast', 'order', 'push', 'system', 'error', 'client-error'];

function summary(detail) {
  if (detail === null || detail === undefined) return '';
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

/** One kind of log, newest first; "Load more" follows nextCursor. */
export function LogTable({ kind, filters = {}, pageSize = 50 }) {
  const [entries, setEntries] = useState([]);
  const [cursor, setCursor] = useState();
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState();
  const key = JSON.stringify([kind, filters, pageSize]);

  async function load(from) {
    setBusy(true);
    setError(undefined);
    try {
      const page = await api('GET', `/admin/logs/${kind}`, { query: { ...filters, limit: pageSize, cursor: from } });
      setEntries((old) => (from ? [...old, ...page.entries] : page.entries));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
      if (!from) setEntries([]);
    } finally {
      setBusy(false);
    }
  }
  useEffect(() => {
    void load(undefined);
  }, [key]);

  return html`<div class="stack" data-testid="log-table">
    <${ErrorNote} error=${error} />
    <div class="table-wrap"><table>
      <thead><tr><th>Time</th><th>User</th><th>Operation</th><th>Result</th><th>Detail</th></tr></thead>
      <tbody>${entries.map((e) => html`<tr key=${e.id} class="clickable" onClick=${() => setOpen(open === e.id ? undefined : e.id)}>
        <td>${dateTime(e.at)}</td>
        <td>${e.userId ? html`<a href=${`#/users/${e.userId}`} class="mono">${e.userId}</a>` : '—'}</td>
        <td>${e.operation ?? '—'}</td>
        <td>${e.result ? html`<span class=${`badge ${e.result === 'fail' ? 'danger' : e.result === 'success' ? 'ok' : ''}`}>${e.result}</span>` : '—'}</td>
        <td>${open === e.id ? html`<pre>${json(e.detail)}</pre>` : html`<span class="mono muted">${summary(e.detail)}</span>`}</td>
      </tr>`)}</tbody>
    </table></div>
    ${!busy && !entries.length && !error ? html`<p class="muted">Nothing logged.</p>` : null}
    ${cursor ? html`<div><button disabled=${busy} onClick=${() => load(cursor)}>Load more</button></div>` : null}
  </div>`;
}

export function Logs({ params }) {
  const [kind, setKind] = useState(LOG_KINDS.includes(params?.[0]) ? params[0] : 'behavior');
  const [draft, setDraft] = useState({ from: '', to: '', userId: '', operation: '' });
  const [filters, setFilters] = useState({});
  const set = (k) => (e) => setDraft({ ...draft, [k]: e.target.value });
  function apply(e) {
    e.preventDefault();
    setFilters({ from: localToIso(draft.from), to: localToIso(draft.to), userId: draft.userId.trim() || undefined, operation: draft.operation.trim() || undefined });
  }
  return html`<div class="stack">
    <h1>Logs</h1>
    <form class="card form-grid" onSubmit=${apply}>
      <${Field} label="Kind"><select value=${kind} onChange=${(e) => setKind(e.target.value)}>${LOG_KINDS.map((k) => html`<option>${k}</option>`)}</select><//>
      <${Field} label="From"><input type="datetime-local" value=${draft.from} onInput=${set('from')} /><//>
      <${Field} label="To"><input type="datetime-local" value=${draft.to} onInput=${set('to')} /><//>
      <${Field} label="User id"><input value=${draft.userId} onInput=${set('userId')} /><//>
      <${Field} label="Operation"><input value=${draft.operation} onInput=${set('operation')} /><//>
      <div class="row end-items"><button class="primary">Filter</button></div>
    </form>
    <section class="card"><${LogTable} kind=${kind} filters=${filters} /></section>
  </div>`;
}
