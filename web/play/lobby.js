// The lobby: matchmaking (auto, private, by id), the live room list, lobby chat, who is online.
import { html, useState } from '../lib/html.js';
import { describeError } from '../lib/api.js';
import { ErrorNote } from '../lib/ui.js';
import { ChatBox } from './chat.js';

/** What can be played: the game-agnostic room by mode (MODES default) and the example game. */
export const GAMES = [
  { label: 'Tic-tac-toe (2 players)', room: 'tictactoe', mode: 'tictactoe' },
  { label: 'Duel (2)', room: 'game', mode: 'duel' },
  { label: 'Squad (4, teams)', room: 'game', mode: 'squad' },
  { label: 'Party (8, teams)', room: 'game', mode: 'party' },
];

function Matchmaking({ store }) {
  const [game, setGame] = useState(0);
  const [roomId, setRoomId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  const g = GAMES[game];
  async function run(fn) {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      // MatchMakeError / ServerError: `message` is the server's sentence
      setError(new Error(describeError(err)));
    } finally {
      setBusy(false);
    }
  }
  return html`<section class="card stack" data-testid="matchmaking">
    <h2>Play</h2>
    <label class="field"><span class="label">Game</span>
      <select aria-label="Game" value=${game} onChange=${(e) => setGame(Number(e.target.value))}>
        ${GAMES.map((x, i) => html`<option value=${i}>${x.label}</option>`)}
      </select>
    </label>
    <div class="row">
      <button class="primary" disabled=${busy} onClick=${() => run(() => store.enter('joinOrCreate', g.room, { mode: g.mode }))}>Auto match</button>
      <button disabled=${busy} onClick=${() => run(() => store.enter('create', g.room, { mode: g.mode, private: true }))}>Create private room</button>
    </div>
    <form class="row nowrap" onSubmit=${(e) => { e.preventDefault(); if (roomId.trim()) void run(() => store.enter('joinById', roomId.trim())); }}>
      <input aria-label="Room id" placeholder="Room id" value=${roomId} onInput=${(e) => setRoomId(e.target.value)} />
      <button disabled=${busy || !roomId.trim()}>Join by id</button>
    </form>
    <${ErrorNote} error=${error} />
  </section>`;
}

function RoomList({ store, rooms }) {
  const [error, setError] = useState();
  async function join(roomId) {
    setError(undefined);
    try {
      await store.enter('joinById', roomId);
    } catch (err) {
      setError(new Error(describeError(err)));
    }
  }
  return html`<section class="card stack" data-testid="room-list">
    <div class="row between"><h2>Open rooms</h2><span class="badge">${rooms.length}</span></div>
    ${rooms.length ? html`<ul class="rooms">
      ${rooms.map((r) => html`<li key=${r.roomId}>
        <span><strong>${r.metadata?.mode ?? r.name}</strong> <span class="muted mono">${r.roomId}</span></span>
        <span class="row nowrap"><span class="badge">${r.clients}/${r.maxClients}</span>
        <button class="small" disabled=${r.clients >= r.maxClients} onClick=${() => join(r.roomId)}>Join</button></span>
      </li>`)}
    </ul>` : html`<p class="muted">No open rooms: start one with Auto match.</p>`}
    <${ErrorNote} error=${error} />
  </section>`;
}

export function LobbyMain({ store, state }) {
  return html`<div class="stack">
    <${Matchmaking} store=${store} />
    <${RoomList} store=${store} rooms=${state.rooms} />
    <section class="card stack">
      <h2>Lobby chat</h2>
      <${ChatBox} lines=${state.lobbyChat} label="Lobby chat" testid="lobby-chat" disabled=${!state.lobby} onSend=${(t) => store.sendLobbyChat(t)} />
    </section>
  </div>`;
}

export function Presence({ state }) {
  return html`<section class="card stack" data-testid="presence">
    <div class="row between"><h2>Online</h2><span class="badge ok" data-testid="online-count">${state.online.count} online</span></div>
    <ul class="plain">
      ${state.online.players.slice(0, 12).map((p) => html`<li key=${p.userId}>${p.name}</li>`)}
    </ul>
    <h3>Servers</h3>
    <ul class="plain">
      ${state.servers.map((s) => html`<li key=${s.address}><span class="mono">${s.address}</span> <span class="muted">${s.rooms} rooms · ${s.clients} players</span></li>`)}
    </ul>
    ${state.lobbyError ? html`<p class="error">Lobby: ${describeError(state.lobbyError)}</p>` : null}
  </section>`;
}
