// /play: the demo player client (SPEC S12). The SDK and the API are used as a game would use them.
import { html, mount, useState, useEffect, useReducer } from '../lib/html.js';
import { ActionButton } from '../lib/ui.js';
import { Session } from './session.js';
import { PlayStore } from './store.js';
import { AuthView } from './auth.js';
import { LobbyMain, Presence } from './lobby.js';
import { RoomView } from './room.js';
import { Mailbox, Inventory } from './mailbox.js';

function useStore(store) {
  const [, force] = useReducer((n) => n + 1, 0);
  useEffect(() => store?.subscribe(force), [store]);
  return store?.state;
}

function Marquee({ marquees }) {
  const now = Date.now();
  const active = marquees.filter((m) => !m.expiresAt || Date.parse(m.expiresAt) > now);
  if (!active.length) return null;
  return html`<div class="marquee" role="marquee" aria-label="Marquee" data-testid="marquee">
    <div class="marquee-track">${active.map((m) => html`<span key=${m.id} class="marquee-item">${m.text}</span>`)}</div>
  </div>`;
}

function Announcements({ store, list }) {
  if (!list.length) return null;
  return html`<section class="card stack" data-testid="announcements">
    <h2>Announcements</h2>
    <ul class="announcements">${list.map((a) => html`<li key=${`${a.local ? 'live' : 'listed'}-${a.id}`}>
      <p>${a.text}</p>
      <${ActionButton} label="Got it" kind="small" onAction=${() => store.dismissAnnouncement(a)} />
    </li>`)}</ul>
  </section>`;
}

function Game({ store }) {
  const state = useStore(store);
  const [softHidden, setSoftHidden] = useState();
  const soft = state.notice?.soft && softHidden !== state.notice ? state.notice : undefined;
  return html`<div class="play">
    <header class="topbar">
      <a class="brand" href="/"><img src="/web/lib/favicon.svg" alt="" />arena</a>
      <span class="muted">Play</span>
      <span class="spacer"></span>
      <span class=${`badge ${state.streamOpen ? 'ok' : 'warn'}`} title="Push stream (SSE)" data-testid="stream-state">${state.streamOpen ? 'live' : 'connecting'}</span>
      <span data-testid="me"><strong>${state.user.name}</strong></span>
      <button class="small" onClick=${() => void store.logout()}>Log out</button>
    </header>
    <${Marquee} marquees=${state.marquees} />
    ${soft ? html`<div class="banner warn" role="alert" data-testid="notice">${soft.text}
      ${state.lobby ? null : html` <button class="small" onClick=${() => { setSoftHidden(soft); void store.joinLobby(); }}>Reconnect</button>`}
      <button class="small" onClick=${() => setSoftHidden(soft)}>Dismiss</button></div>` : null}
    <main class="page play-grid">
      <div class="main-col">
        ${state.room ? html`<${RoomView} store=${store} state=${state} />` : html`<${LobbyMain} store=${store} state=${state} />`}
      </div>
      <aside class="side-col stack">
        <${Announcements} store=${store} list=${state.announcements} />
        <${Presence} state=${state} />
        <${Mailbox} store=${store} state=${state} />
        <${Inventory} inventory=${state.inventory} />
        <p class="muted small-print" data-testid="refreshes">Session refreshed ${state.refreshes} ${state.refreshes === 1 ? 'time' : 'times'}.</p>
      </aside>
    </main>
  </div>`;
}

function App() {
  const [store, setStore] = useState();
  const [notice, setNotice] = useState();
  function start(session) {
    session.save();
    const s = new PlayStore(session, { onEnded: () => setTimeout(() => { setNotice(s.state.notice); setStore(undefined); }) });
    setStore(s);
    void s.start();
  }
  useEffect(() => {
    const saved = Session.load();
    if (saved) start(saved);
  }, []);
  if (!store) return html`<${AuthView} notice=${notice} onSession=${(s) => { setNotice(undefined); start(s); }} />`;
  return html`<${Game} store=${store} />`;
}

mount(App);
