// Users: search by phone, name or id; a user's profile, sessions, online state, inventory, logs and actions.
import { html, useState } from '../lib/html.js';
import { ActionButton, ErrorNote, Field, useLoad, useSubmit, askConfirm, notify } from '../lib/ui.js';
import { ago, dateTime, localToIso } from '../lib/format.js';
import { api } from './session.js';
import { LogTable } from './logs.js';

function BanBadge({ user }) {
  if (user.ban?.active) return html`<span class="badge danger">banned${user.ban.until ? ` until ${dateTime(user.ban.until)}` : ''}</span>`;
  if (user.closedAt) return html`<span class="badge">closed</span>`;
  return html`<span class="badge ok">active</span>`;
}

export function Users() {
  const [q, setQ] = useState('');
  const [term, setTerm] = useState('');
  const [page, setPage] = useState(1);
  const list = useLoad(() => api('GET', '/admin/users', { query: { q: term, page, pageSize: 25 } }), [term, page]);
  const d = list.data;
  return html`<div class="stack">
    <h1>Users</h1>
    <form class="row" onSubmit=${(e) => { e.preventDefault(); setPage(1); setTerm(q.trim()); }}>
      <input aria-label="Search users" placeholder="Phone, name or user id" value=${q} onInput=${(e) => setQ(e.target.value)} />
      <button class="primary">Search</button>
    </form>
    <${ErrorNote} error=${list.error} />
    <section class="card">
      <div class="table-wrap"><table data-testid="users">
        <thead><tr><th>Name</th><th>Phone</th><th>User id</th><th>Registered</th><th>State</th></tr></thead>
        <tbody>${(d?.users ?? []).map((u) => html`<tr key=${u.id} class="clickable" onClick=${() => { location.hash = `#/users/${u.id}`; }}>
          <td><a href=${`#/users/${u.id}`}>${u.name}</a></td><td class="mono">${u.phone}</td><td class="mono">${u.id}</td><td>${dateTime(u.createdAt)}</td>
          <td><${BanBadge} user=${u} />${u.whitelisted ? html` <span class="badge accent">whitelisted</span>` : null}</td>
        </tr>`)}</tbody>
      </table></div>
      ${d && !d.users.length ? html`<p class="muted">No user matches.</p>` : null}
      ${d ? html`<div class="row between"><span class="muted">${d.total} users</span><span class="row">
        <button class="small" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
        <button class="small" disabled=${page * d.pageSize >= d.total} onClick=${() => setPage(page + 1)}>Next</button></span></div>` : null}
    </section>
  </div>`;
}

function BanForm({ user, onChanged }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const form = useSubmit(async () => {
    if (!(await askConfirm(`Ban ${user.name}? Every session ends at once.`, { action: 'Ban' }))) return;
    await api('POST', `/admin/users/${user.id}/ban`, { body: { reason, ...(until ? { until: localToIso(until) } : {}) } });
    notify(`${user.name} is banned`);
    onChanged();
  });
  return html`<form class="stack" onSubmit=${form.submit} data-testid="ban-form">
    <div class="form-grid">
      <${Field} label="Ban reason" error=${form.errors.reason}><input required maxlength="200" value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
      <${Field} label="Until (empty: for ever)" error=${form.errors.until}><input type="datetime-local" value=${until} onInput=${(e) => setUntil(e.target.value)} /><//>
    </div>
    <div><button class="danger" disabled=${form.busy}>Ban</button></div>
    <${ErrorNote} error=${form.error} />
  </form>`;
}

/** A one-field form that asks once, then POSTs `{[name]: value}`. */
function OneField({ label, name, type = 'text', path, confirm, done, onChanged, action }) {
  const [value, setValue] = useState('');
  const form = useSubmit(async () => {
    if (!(await askConfirm(confirm, { action }))) return;
    await api('POST', path, { body: { [name]: value } });
    setValue('');
    notify(done);
    onChanged();
  });
  return html`<form class="row end-items" onSubmit=${form.submit}>
    <${Field} label=${label} error=${form.errors[name]}><input type=${type} required value=${value} onInput=${(e) => setValue(e.target.value)} /><//>
    <button disabled=${form.busy}>${action}</button>
    ${form.error && !form.errors[name] ? html`<${ErrorNote} error=${form.error} />` : null}
  </form>`;
}

function Inventory({ id }) {
  const game = useLoad(() => api('GET', `/admin/users/${id}/game`), [id]);
  const items = Object.entries(game.data?.inventory ?? {});
  return html`<section class="card stack" data-testid="user-inventory">
    <h2>Inventory</h2>
    ${items.length ? html`<table><tbody>${items.map(([item, n]) => html`<tr><td>${item}</td><td>${n}</td></tr>`)}</tbody></table>` : html`<p class="muted">Empty.</p>`}
    <${ErrorNote} error=${game.error} />
  </section>`;
}

export function UserDetail({ id }) {
  const detail = useLoad(() => api('GET', `/admin/users/${id}`), [id]);
  const [logKind, setLogKind] = useState('behavior');
  const d = detail.data;
  if (!d) return html`<div class="stack"><a href="#/users">← Users</a><${ErrorNote} error=${detail.error} />${detail.error ? null : html`<p class="muted">Loading…</p>`}</div>`;
  const u = d.user;
  const reload = detail.reload;
  const post = (method, path, body) => async () => {
    await api(method, path, { body });
    await reload();
  };
  return html`<div class="stack" data-testid="user-detail">
    <a href="#/users">← Users</a>
    <div class="row between"><h1>${u.name}</h1><span class="row"><${BanBadge} user=${u} />
      ${d.online.length ? html`<span class="badge ok" data-testid="online">online</span>` : html`<span class="badge">offline</span>`}</span></div>
    <div class="grid">
      <section class="card stack">
        <h2>Profile</h2>
        <dl class="facts">
          <dt>User id</dt><dd class="mono">${u.id}</dd><dt>Phone</dt><dd class="mono" data-testid="phone">${u.phone}</dd>
          <dt>Email</dt><dd>${u.email ?? '—'}</dd><dt>Registered</dt><dd>${dateTime(u.createdAt)}</dd>
          ${u.ban ? html`<dt>Ban</dt><dd>${u.ban.reason} (${dateTime(u.ban.at)}${u.ban.until ? ` → ${dateTime(u.ban.until)}` : ', no end'})</dd>` : null}
          <dt>Whitelist</dt><dd>${u.whitelisted ? 'yes (may play in maintenance)' : 'no'}</dd>
          <dt>Client error reports</dt><dd>${u.clientErrorsEnabled ? 'stored' : 'ignored'}</dd>
        </dl>
      </section>
      <section class="card stack">
        <h2>Actions</h2>
        <div class="row">
          <${ActionButton} label="Kick" kind="danger" confirm=${`Kick ${u.name}? Every session ends at once.`} done="Kicked" onAction=${post('POST', `/admin/users/${id}/kick`)} />
          ${u.ban?.active ? html`<${ActionButton} label="Unban" done="Ban lifted" onAction=${post('DELETE', `/admin/users/${id}/ban`)} />` : null}
          <${ActionButton} label=${u.whitelisted ? 'Remove from whitelist' : 'Whitelist'} done="Whitelist changed" onAction=${post(u.whitelisted ? 'DELETE' : 'PUT', `/admin/users/${id}/whitelist`)} />
          <${ActionButton} label=${u.clientErrorsEnabled ? 'Ignore client errors' : 'Store client errors'} done="Client error reports changed" onAction=${post('PUT', `/admin/users/${id}/client-errors`, { enabled: !u.clientErrorsEnabled })} />
          <a class="button" href=${`#/mail/${id}`}>Send mail</a>
        </div>
        ${u.ban?.active ? null : html`<${BanForm} user=${u} onChanged=${reload} />`}
        <${OneField} label="New phone" name="phone" path=${`/admin/users/${id}/phone`} action="Change phone" confirm=${`Change the phone of ${u.name}?`} done="Phone changed" onChanged=${reload} />
        <${OneField} label="New password" name="password" type="password" path=${`/admin/users/${id}/password`} action="Set password" confirm=${`Set a new password for ${u.name}? Every session ends.`} done="Password set" onChanged=${reload} />
      </section>
    </div>
    <section class="card stack">
      <h2>Online</h2>
      ${d.online.length ? html`<div class="table-wrap"><table><thead><tr><th>Session</th><th>IP</th><th>Lobby</th><th>Server</th><th>Room</th><th>Connected</th><th>Last seen</th></tr></thead>
        <tbody>${d.online.map((o) => html`<tr><td class="mono">${o.sessionId}</td><td>${o.ip ?? '—'}</td><td>${o.inLobby ? 'yes' : 'no'}</td><td class="mono">${o.gameServer ?? '—'}</td>
          <td>${o.roomId ? html`<a href=${`#/rooms/${o.roomId}`}>${o.roomId}</a>` : '—'}</td><td>${dateTime(o.connectedAt)}</td><td>${ago(o.lastSeenAt)}</td></tr>`)}</tbody></table></div>`
        : html`<p class="muted">Not connected.</p>`}
    </section>
    <section class="card stack">
      <h2>Sessions</h2>
      <div class="table-wrap"><table><thead><tr><th>Session</th><th>Channel</th><th>IP</th><th>Created</th><th>Refreshed</th><th>State</th></tr></thead>
        <tbody>${d.sessions.map((s) => html`<tr><td class="mono">${s.id}</td><td>${s.channel}</td><td>${s.ip ?? '—'}</td><td>${dateTime(s.createdAt)}</td><td>${ago(s.refreshedAt)}</td>
          <td>${s.live ? html`<span class="badge ok">live</span>` : html`<span class="badge">${s.revokeReason ?? 'expired'}</span>`}</td></tr>`)}</tbody></table></div>
    </section>
    <${Inventory} id=${id} />
    <section class="card stack">
      <div class="row between"><h2>Recent logs</h2>
        <select aria-label="Log kind" value=${logKind} onChange=${(e) => setLogKind(e.target.value)}>
          ${['behavior', 'login', 'room', 'order', 'audit', 'broadcast', 'push'].map((k) => html`<option>${k}</option>`)}
        </select></div>
      <${LogTable} kind=${logKind} filters=${{ userId: id }} pageSize=${20} />
    </section>
  </div>`;
}
