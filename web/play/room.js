// A game room: players with team and ready flag, room chat, and the tic-tac-toe board when it is one.
import { html, useState } from '../lib/html.js';
import { ChatBox } from './chat.js';

const TEAMS = ['red', 'blue'];

function copy(text) {
  void navigator.clipboard?.writeText(text).catch(() => undefined);
}

function TicTacToe({ room, state, gameOver }) {
  const me = room.sessionId;
  const mark = state.marks?.[me];
  const players = state.players ?? {};
  const nameOf = (sessionId) => players[sessionId]?.name ?? '?';
  let status;
  if (state.status === 'waiting') status = 'Waiting for two players, both ready.';
  else if (state.status === 'playing') status = state.turn === me ? `Your turn (${mark})` : `${nameOf(state.turn)} to move`;
  else if (state.status === 'draw') status = 'Draw.';
  else if (state.status === 'won') status = state.winner === me ? 'You won!' : `${nameOf(state.winner)} won.`;
  const canMove = state.status === 'playing' && state.turn === me;
  return html`<section class="card stack" data-testid="tictactoe">
    <div class="row between"><h2>Tic-tac-toe</h2>${mark ? html`<span class="badge accent">You are ${mark}</span>` : null}</div>
    <p class="game-status" data-testid="game-status" data-status=${state.status}>${status}</p>
    <div class="board" role="grid" aria-label="Board">
      ${(state.board ?? []).map((cell, i) => html`<button type="button" class=${`cell ${cell ? `mark-${cell}` : ''}`} aria-label=${`cell ${i + 1}${cell ? ` ${cell}` : ''}`}
        data-cell=${i} disabled=${!canMove || !!cell} onClick=${() => room.send('move', { cell: i })}>${cell}</button>`)}
    </div>
    ${gameOver ? html`<p class="muted">Game over: ${gameOver.status === 'draw' ? 'draw' : `${gameOver.winner === me ? 'you' : nameOf(gameOver.winner)} won`}.</p>` : null}
  </section>`;
}

export function RoomView({ store, state }) {
  const { room, roomState: s, roomChat, gameOver } = state;
  const [copied, setCopied] = useState(false);
  if (!room) return null;
  const players = Object.entries(s?.players ?? {});
  const me = s?.players?.[room.sessionId];
  const teams = players.some(([, p]) => p.team);
  return html`<div class="stack" data-testid="room">
    <section class="card stack">
      <div class="row between">
        <h2>${room.name === 'tictactoe' ? 'Tic-tac-toe room' : `Room · ${s?.mode ?? ''}`}</h2>
        <button class="danger small" onClick=${() => void store.leaveRoom()}>Leave</button>
      </div>
      <p class="row"><span class="muted">Room id</span> <code data-testid="room-id">${room.roomId}</code>
        <button class="small" onClick=${() => { copy(room.roomId); setCopied(true); }}>${copied ? 'Copied' : 'Copy'}</button></p>
      <table>
        <thead><tr><th>Player</th>${teams ? html`<th>Team</th>` : null}<th>Ready</th></tr></thead>
        <tbody>${players.map(([sid, p]) => html`<tr key=${sid} data-testid="player">
          <td>${p.name}${sid === room.sessionId ? html` <span class="badge accent">you</span>` : null}${p.userId === s.ownerId ? html` <span class="badge">owner</span>` : null}${p.connected ? null : html` <span class="badge warn">reconnecting</span>`}</td>
          ${teams ? html`<td><span class=${`badge team-${p.team}`}>${p.team}</span></td>` : null}
          <td>${p.ready ? html`<span class="badge ok">ready</span>` : html`<span class="badge">not ready</span>`}</td>
        </tr>`)}</tbody>
      </table>
      <div class="row">
        <button class=${me?.ready ? '' : 'primary'} disabled=${!me} onClick=${() => room.send('ready', { ready: !me.ready })}>${me?.ready ? 'Not ready' : 'Ready'}</button>
        ${teams ? html`<label class="row nowrap"><span class="muted">Team</span>
          <select aria-label="Team" value=${me?.team} onChange=${(e) => room.send('team', { team: e.target.value })}>
            ${TEAMS.map((t) => html`<option value=${t}>${t}</option>`)}
          </select></label>` : null}
      </div>
    </section>
    ${room.name === 'tictactoe' && s ? html`<${TicTacToe} room=${room} state=${s} gameOver=${gameOver} />` : null}
    <section class="card stack">
      <h2>Room chat</h2>
      <${ChatBox} lines=${roomChat} label="Room chat" testid="room-chat" onSend=${(text) => room.send('chat', { text })} />
    </section>
  </div>`;
}
