/**
 * Everything the player client knows, outside the views: the lobby room and a game room through
 * @colyseus/sdk, the SSE push stream, mailbox, inventory and announcements. Views read `state` and
 * re-render on `subscribe`; actions are methods. Written the way a game client would use the SDK.
 */
import { Client } from '@colyseus/sdk';
import { describeError } from '../lib/api.js';

/** Why a session ended, in the player's words (kick reasons of the server, and room close codes). */
const KICK_TEXT = {
  banned: 'Your account has been banned.',
  kicked: 'An operator ended your session.',
  new_login: 'You logged in somewhere else, so this session was closed.',
  logout: 'You logged out.',
  password_changed: 'Your password was changed, so this session was closed.',
  password_reset: 'Your password was reset, so this session was closed.',
  deregistered: 'This account was closed.',
  refresh_reuse: 'Your session was closed for safety (a login token was used twice).',
  maintenance: 'The server entered maintenance.',
  expired: 'Your session expired.',
};

const CLOSE_TEXT = {
  4100: ['kicked', 'Your session was closed by the server.'],
  4101: ['banned', KICK_TEXT.banned],
  4102: ['maintenance', 'The server entered maintenance: rooms are closed for now.'],
  4103: ['full', 'The server is full; try again in a moment.'],
  4104: ['quota', 'You are already in as many rooms as you may be.'],
  4105: ['playtime', 'Play time is over for today.'],
};

const MAX_LINES = 100;

export class PlayStore {
  constructor(session, { onEnded }) {
    this.session = session;
    this.onEnded = onEnded;
    this.client = new Client(location.origin);
    this.listeners = new Set();
    this.seen = new Set();
    this.stream = undefined;
    this.lastEventId = undefined;
    this.state = {
      user: session.user, lobby: undefined, lobbyError: undefined, rooms: [], online: { count: 0, players: [] }, servers: [],
      lobbyChat: [], marquees: [], announcements: [], room: undefined, roomState: undefined, roomChat: [], gameOver: undefined,
      mails: [], unread: 0, inventory: {}, streamOpen: false, notice: undefined, refreshes: session.refreshes,
    };
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  set(patch) {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  async start() {
    // A tab reopened after a while holds an old access token: rotate it before using it.
    if (this.session.stale) {
      try {
        await this.session.refresh();
        this.set({ refreshes: this.session.refreshes });
      } catch {
        this.end('expired');
        return;
      }
    }
    this.session.keepFresh({
      onRefreshed: () => {
        this.set({ refreshes: this.session.refreshes });
        this.openStream();
      },
      onExpired: () => this.end('expired'),
    });
    this.openStream();
    await Promise.all([this.joinLobby(), this.loadMail(), this.loadInventory(), this.loadAnnouncements()]).catch((err) => this.failed(err));
  }

  /** A background load failed: a refused token ends the session, anything else is shown. */
  failed(err) {
    if (err?.status === 401) this.end('expired');
    else this.system(`Could not load: ${describeError(err)}`);
  }

  /** The session is over (kick, ban, expiry, logout): close everything, tell the page once. */
  end(reason, text) {
    if (this.state.notice) return;
    this.closeStream();
    clearTimeout(this.session.timer);
    // The server may have closed a room already (a revoked session's rooms close as its stream is
    // told): leaving a closed connection would only make the browser log a send on a closed socket.
    for (const room of [this.state.room, this.state.lobby]) {
      if (room?.connection?.isOpen) room.leave(true).catch(() => undefined);
    }
    this.session.clear();
    this.set({ notice: { reason, text: text ?? KICK_TEXT[reason] ?? `Your session ended (${reason}).` } });
    this.onEnded?.();
  }

  // --- push: SSE outside rooms, and the same messages inside the lobby and game rooms ---

  openStream() {
    this.closeStream();
    const params = new URLSearchParams({ access_token: this.session.accessToken });
    if (this.lastEventId) params.set('lastEventId', this.lastEventId);
    const stream = new EventSource(`/api/v1/push/stream?${params}`);
    this.stream = stream;
    stream.onopen = () => this.set({ streamOpen: true });
    stream.onerror = () => this.set({ streamOpen: false });
    const on = (event, fn) => stream.addEventListener(event, (e) => {
      if (e.lastEventId) this.lastEventId = e.lastEventId;
      fn(JSON.parse(e.data));
    });
    on('marquee', (m) => this.pushed(m));
    on('announcement', (m) => this.pushed(m));
    on('mail', () => void this.loadMail().catch((err) => this.failed(err)));
    on('system', (m) => this.system(m.text ?? m.reason));
    on('kick', (m) => this.end(m.reason ?? 'kicked'));
  }

  closeStream() {
    this.stream?.close();
    this.stream = undefined;
  }

  /** A marquee or announcement from the stream or a room; the same message may come both ways. */
  pushed(m) {
    if (!m?.id || this.seen.has(m.id)) return;
    this.seen.add(m.id);
    if (m.kind === 'announcement') {
      // Lobby, server and personal announcements are read from the server's list, whose ids are the
      // ones read receipts take (a pushed message id is not); room and team ones are not listed there.
      if (m.scope === 'room' || m.scope === 'team') this.set({ announcements: [{ ...m, local: true }, ...this.state.announcements] });
      else void this.loadAnnouncements().catch((err) => this.failed(err));
      return;
    }
    const now = Date.now();
    const marquees = [...this.state.marquees.filter((x) => !x.expiresAt || Date.parse(x.expiresAt) > now), m].slice(-5);
    this.set({ marquees });
  }

  system(text) {
    if (text) this.addLine('lobbyChat', { from: null, kind: 'system', text, at: Date.now() });
  }

  addLine(list, line) {
    this.set({ [list]: [...this.state[list], line].slice(-MAX_LINES) });
  }

  // --- lobby ---

  async joinLobby() {
    this.client.auth.token = this.session.accessToken;
    try {
      const lobby = await this.client.joinOrCreate('lobby');
      this.set({ lobby, lobbyError: undefined });
      lobby.onMessage('rooms', (rooms) => this.set({ rooms }));
      lobby.onMessage('+', ([roomId, room]) => this.set({ rooms: [...this.state.rooms.filter((r) => r.roomId !== roomId), room] }));
      lobby.onMessage('-', (roomId) => this.set({ rooms: this.state.rooms.filter((r) => r.roomId !== roomId) }));
      lobby.onMessage('online', (online) => this.set({ online }));
      lobby.onMessage('servers', (servers) => this.set({ servers }));
      lobby.onMessage('chat', (line) => this.addLine('lobbyChat', line));
      lobby.onMessage('mail', () => void this.loadMail().catch((err) => this.failed(err)));
      lobby.onMessage('error', (e) => this.addLine('lobbyChat', { from: null, kind: 'error', text: e.message, at: Date.now() }));
      lobby.onMessage('*', (type, m) => {
        if (type === 'marquee' || type === 'announcement') this.pushed(m);
        else if (type === 'system') this.system(m?.text);
      });
      lobby.onLeave((code) => this.roomClosed('lobby', code));
    } catch (err) {
      this.set({ lobbyError: err });
      this.refused(err);
    }
  }

  sendLobbyChat(text) {
    this.state.lobby?.send('chat', { text });
  }

  /** A room connection ended: the contract's close codes say why. */
  roomClosed(which, code) {
    const known = CLOSE_TEXT[code];
    if (which === 'lobby') this.set({ lobby: undefined, rooms: [] });
    else this.set({ room: undefined, roomState: undefined, gameOver: undefined });
    if (!known) {
      if (which === 'game' && code === 4000) this.system('The room was closed by an operator.');
      return;
    }
    const [reason, text] = known;
    if (reason === 'kicked' || reason === 'banned') this.end(reason, text);
    else this.set({ notice: { reason, text, soft: true } });
  }

  /** A refused join (MatchMakeError / ServerError carry the contract code and sentence). */
  refused(err) {
    const code = Number(err?.code);
    if (code === 4101 || (code === 403 && /banned/i.test(err.message))) this.end('banned', `${KICK_TEXT.banned} ${err.message}`);
    else if (code === 4102 || (code === 403 && /maintenance/i.test(err.message))) this.set({ notice: { reason: 'maintenance', text: `${err.message}`, soft: true } });
    else if (code === 4100 || code === 401) this.end('kicked', err.message);
  }

  // --- game rooms ---

  async enter(how, nameOrId, options) {
    this.client.auth.token = this.session.accessToken;
    const room = how === 'joinById' ? await this.client.joinById(nameOrId) : await this.client[how](nameOrId, options);
    this.set({ room, roomState: undefined, roomChat: [], gameOver: undefined });
    room.onStateChange((s) => this.set({ roomState: s.toJSON() }));
    room.onMessage('chat', (line) => this.addLine('roomChat', line));
    room.onMessage('error', (e) => this.addLine('roomChat', { from: null, kind: 'error', text: e.message, at: Date.now() }));
    room.onMessage('game_over', (m) => this.set({ gameOver: m }));
    room.onMessage('mail', () => void this.loadMail().catch((err) => this.failed(err)));
    room.onMessage('*', (type, m) => {
      if (type === 'marquee' || type === 'announcement') this.pushed(m);
      else if (type === 'system') this.addLine('roomChat', { from: null, kind: 'system', text: m?.text ?? String(m), at: Date.now() });
    });
    room.onLeave((code) => {
      if (this.state.room === room) this.roomClosed('game', code);
    });
    return room;
  }

  async leaveRoom() {
    const room = this.state.room;
    this.set({ room: undefined, roomState: undefined, gameOver: undefined });
    await room?.leave(true);
  }

  // --- mail, inventory, announcements ---

  async loadMail() {
    const { mails, unread } = await this.session.api('GET', '/mail');
    this.set({ mails, unread });
  }

  async readMail(mail) {
    if (mail.readAt) return;
    const { mail: read } = await this.session.api('POST', `/mail/${mail.id}/read`);
    this.set({ mails: this.state.mails.map((m) => (m.id === read.id ? read : m)), unread: Math.max(0, this.state.unread - 1) });
  }

  async claimMail(mail) {
    const res = await this.session.api('POST', `/mail/${mail.id}/claim`);
    this.set({ mails: this.state.mails.map((m) => (m.id === res.mail.id ? res.mail : m)), inventory: res.inventory });
    return res.granted;
  }

  async deleteMail(mail) {
    await this.session.api('DELETE', `/mail/${mail.id}`);
    await this.loadMail();
  }

  async loadInventory() {
    const { inventory } = await this.session.api('GET', '/me/game');
    this.set({ inventory });
  }

  async loadAnnouncements() {
    const { announcements } = await this.session.api('GET', '/announcements');
    this.set({ announcements: [...this.state.announcements.filter((a) => a.local), ...announcements] });
  }

  /** Marks an announcement read (it counts toward "read n times" rules); a local one is only hidden. */
  async dismissAnnouncement(a) {
    if (!a.local) await this.session.api('POST', `/announcements/${a.id}/read`);
    this.set({ announcements: this.state.announcements.filter((x) => x !== a) });
  }

  async logout() {
    // The session ends on this page whatever the server answers (it may already be revoked).
    await this.session.api('POST', '/auth/logout').catch(() => undefined);
    this.end('logout');
  }
}

