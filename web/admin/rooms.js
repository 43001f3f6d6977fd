// Rooms of every process: list, look inside (players, teams, ready), system message, dispose.
import { html, useState } from '../lib/html.js';
import { ActionButton, ErrorNote, Field, useInterval, useLoad, useSubmit } from '../lib/ui.js';
import { ago, json } from '../lib/format.js';
import { api } from './session.js';

export function Rooms() {
  const list = useLoad(() => api('GET', '/admin/rooms'));
  useInterval(list.reload, 3000);
  const rooms = list.data?.rooms ?? [];
  return html`<div class="stack">
    <div class="row between"><h1>Rooms</h1><span class="muted">${rooms.length} rooms · live</span></div>
    <${ErrorNote} error=${list.error} />
    <section class="card"><div class="table-wrap"><table data-testid="rooms">
      <thead><tr><th>Room</th><th>Type</th><th>Mode</th><th>Clients</th><th>Process</th><th>Created</th><th>Flags</th></tr></thead>
      <tbody>${rooms.map((r) => html`<tr key=${r.roomId} class="clickable" onClick=${() => { location.hash = `#/rooms/${r.roomId}`; }}>
        <td><a class="mono" href=${`#/rooms/${r.roomId}`}>${r.roomId}</a></td><td>${r.name}</td><td>${r.metadata?.mode ?? '—'}</td>
        <td>${r.clients}/${r.maxClients}</td><td class="mono">${r.publicAddress ?? r.processId ?? '—'}</td><td>${ago(r.createdAt)}</td>
        <td>${r.private ? html`<span class="badge">private</span>` : null} ${r.locked ? html`<span class="badge">locked</span>` : null}</td>
      </tr>`)}</tbody>
    </table></div>${rooms.length ? null : html`<p class="muted">No rooms.</p>`}</section>
  </div>`;
}

function Message({ id }) {
  const [text, setText] = useState('');
  const form = useSubmit(async () => {
    await api('POST', `/admin/rooms/${id}/message`, { body: { text } });
    setText('');
  }, { done: 'Message sent to the room' });
  return html`<form class="row end-items" onSubmit=${form.submit}>
    <${Field} label="System message" error=${form.errors.text}><input maxlength="500" value=${text} onInput=${(e) => setText(e.target.value)} /><//>
    <button disabled=${form.busy}>Send</button>
    ${form.error && !form.errors.text ? html`<${ErrorNote} error=${form.error} />` : null}
  </form>`;
}

export function RoomDetail({ id }) {
  const room = useLoad(() => api('GET', `/admin/rooms/${id}`), [id]);
  const [gone, setGone] = useState(false);
  // Stops polling once the room is gone (disposed here or elsewhere).
  useInterval(() => { if (!gone && room.error?.status !== 404) void room.reload(); }, 2000);
  const d = room.data;
  const players = Object.entries(d?.state?.players ?? {});
  return html`<div class="stack" data-testid="room-detail">
    <a href="#/rooms">← Rooms</a>
    <h1>Room <span class="mono">${id}</span></h1>
    <${ErrorNote} error=${room.error} />
    ${d && !gone ? html`<section class="card stack">
      <p>${d.room.name}${d.state?.mode ? ` · ${d.state.mode}` : ''} · ${d.room.clients}/${d.room.maxClients} clients${d.room.private ? ' · private' : ''}</p>
      ${d.state ? html`<div class="table-wrap"><table data-testid="room-players"><thead><tr><th>Player</th><th>User id</th><th>Team</th><th>Ready</th><th>Connection</th></tr></thead>
        <tbody>${players.map(([sid, p]) => html`<tr key=${sid}><td>${p.name}${p.userId === d.state.ownerId ? html` <span class="badge">owner</span>` : null}</td>
          <td><a class="mono" href=${`#/users/${p.userId}`}>${p.userId}</a></td><td>${p.team || '—'}</td>
          <td>${p.ready ? html`<span class="badge ok">ready</span>` : html`<span class="badge">not ready</span>`}</td>
          <td>${p.connected ? 'connected' : html`<span class="badge warn">reconnecting</span>`}</td></tr>`)}</tbody></table></div>`
        : html`<p class="muted">This room has no state (the lobby).</p>`}
      <${Message} id=${id} />
      <div><${ActionButton} label="Dispose room" kind="danger" confirm="Dispose this room? Everyone in it is disconnected." done="Room disposed"
        onAction=${async () => { await api('DELETE', `/admin/rooms/${id}`); setGone(true); }} /></div>
      ${d.state ? html`<details><summary>Raw state</summary><pre>${json(d.state)}</pre></details>` : null}
    </section>` : null}
    ${gone ? html`<p class="muted">The room was disposed. <a href="#/rooms">Back to rooms</a></p>` : null}
  </div>`;
}
