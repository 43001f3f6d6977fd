import { Room, ServerError, type AuthContext, type Client } from '@colyseus/core';
import { z } from 'zod';
import type { RoomDeps } from './deps.ts';
import { GameState, PlayerState } from '../schema/game.state.ts';
import { authorizeJoin, endsSeat } from './membership.ts';
import { RoomKit, message, type MessageTable } from './kit.ts';
import type { ChatLine } from './chat.ts';
import { issueOf } from '../src/platform/validation.ts';

/** How a mode plays: seats, and whether players pick their team (else the room assigns it). */
export interface ModeRule {
  maxClients: number;
  /** Team names; the room assigns them round-robin on join. Empty: no teams. */
  teams: string[];
  /** May players change team with `team {team}`? */
  teamChoice: boolean;
  /** Players a team holds at most; default: the seats shared evenly (rounded up) between the teams. */
  teamSize?: number;
}

/** The default rule of a configured mode (MODES, default duel 2, squad 4, party 8). */
export function defaultRule(maxClients: number): ModeRule {
  if (maxClients <= 2) return { maxClients, teams: [], teamChoice: false };
  return { maxClients, teams: ['red', 'blue'], teamChoice: true };
}

export const gameOptions = z.object({
  mode: z.string().min(1).max(32),
  private: z.boolean().optional(),
});

const readyMessage = z.object({ ready: z.boolean() });
const teamMessage = z.object({ team: z.string().min(1).max(16) });

/**
 * The game-agnostic room `game` (S4). A game is a subclass (see rooms/tictactoe.room.ts and
 * docs/ROOMS.md): it overrides `modes()`, `createState()` and the `onPlayer*` hooks, and adds its
 * own messages to its `messageTable()`.
 */
export function createGameRoom(deps: RoomDeps) {
  const { config } = deps;
  const reconnectWindowS = config.reconnectWindowS;

  return class GameRoom extends Room<{ state: GameState }> {
    kit!: RoomKit;
    rule!: ModeRule;
    declare state: GameState;

    static override async onAuth(token: string, _options: unknown, ctx: AuthContext) {
      return authorizeJoin(deps, token, ctx, 'game');
    }

    /** The modes this room type serves. A subclass replaces it with its own. */
    modes(): Record<string, ModeRule> {
      return Object.fromEntries(Object.entries(config.modes).map(([name, max]) => [name, defaultRule(max)]));
    }

    /** The state instance; a game returns its `GameState.extend(...)` class here. */
    createState(): GameState {
      return new GameState();
    }

    /** Hooks for a game. `onPlayerLeave` runs when the seat is given up (not on a mere drop). */
    onGameCreate(_options: z.output<typeof gameOptions>): void | Promise<void> {}
    onPlayerJoin(_client: Client, _player: PlayerState): void | Promise<void> {}
    onPlayerLeave(_sessionId: string, _player: PlayerState): void | Promise<void> {}
    onPlayerReady(_client: Client, _player: PlayerState): void | Promise<void> {}

    override async onCreate(rawOptions: unknown) {
      const parsed = gameOptions.safeParse(rawOptions ?? {});
      if (!parsed.success) throw new ServerError(400, `INVALID_INPUT: ${issueOf(parsed.error, 'options').text}`);
      const options = parsed.data;
      const rule = this.modes()[options.mode];
      if (!rule) throw new ServerError(400, `INVALID_INPUT: mode: unknown mode "${options.mode}" (one of ${Object.keys(this.modes()).join(', ')})`);
      this.rule = rule;
      this.maxClients = rule.maxClients;
      this.kit = new RoomKit(deps, this, 'game', { detail: () => ({ mode: this.state?.mode }) });
      deps.gameRooms.count++;
      this.kit.members.team = (sessionId) => this.state.players.get(sessionId)?.team || undefined;

      const state = this.createState();
      state.mode = options.mode;
      state.createdAt = deps.clock.now();
      this.setState(state);
      await this.setMetadata({ mode: options.mode });
      if (options.private) await this.setPrivate(true);
      this.kit.list({ mode: options.mode, private: Boolean(options.private) });

      this.kit.mount(this.messageTable());
      await this.onGameCreate(options);
      void this.kit.members.log('create', null, 'success', { private: !!options.private });
    }

    /**
     * The room's messages: name, zod schema, handler. A game adds its own:
     * `{ ...super.messageTable(), move: message(moveSchema, (client, { cell }) => this.move(client, cell)) }`.
     */
    messageTable(): MessageTable {
      return {
        chat: this.kit.chat(),
        ready: message(readyMessage, (client, { ready }) => this.setReady(client, ready)),
        team: message(teamMessage, (client, { team }) => this.chooseTeam(client, team)),
      };
    }

    private async setReady(client: Client, ready: boolean) {
      const player = this.state.players.get(client.sessionId);
      if (!player) return;
      player.ready = ready;
      await this.onPlayerReady(client, player);
      if (!this.state.startedAt && this.allSeatedAndReady()) this.startGame();
    }

    private chooseTeam(client: Client, team: string) {
      const player = this.state.players.get(client.sessionId);
      if (!player) return;
      const refuse = (code: 'INVALID_INPUT' | 'CONFLICT', message: string) => client.send('error', { type: 'team', code, message });
      if (!this.rule.teamChoice || !this.rule.teams.includes(team)) {
        return refuse('INVALID_INPUT', this.rule.teamChoice ? `team: must be one of ${this.rule.teams.join(', ')}` : 'team: this mode does not allow choosing a team');
      }
      if (this.state.startedAt) return refuse('CONFLICT', 'team: the game has started; teams are fixed');
      if (player.team === team) return;
      const size = this.teamSize();
      const members = [...this.state.players.values()].filter((p) => p.team === team).length;
      if (members >= size) return refuse('CONFLICT', `team: ${team} is full (${size} players)`);
      player.team = team;
      this.kit.members.setTeam(client.sessionId, team);
    }

    override async onJoin(client: Client) {
      const member = this.kit.members.admit(client);
      const player = new PlayerState();
      player.userId = member.auth.userId;
      player.name = member.auth.name;
      player.connected = true;
      player.team = this.nextTeam();
      this.state.players.set(client.sessionId, player);
      this.kit.members.setTeam(client.sessionId, player.team);
      if (!this.state.ownerId) this.state.ownerId = member.auth.userId;
      await this.onPlayerJoin(client, player);
    }

    override onDrop(client: Client, code?: number) {
      const member = this.kit.members.detach(client.sessionId);
      const player = this.state.players.get(client.sessionId);
      if (!member || !player) return;
      // No seat kept: onLeave follows and frees it.
      if (member.kicked || endsSeat(code) || reconnectWindowS <= 0 || deps.lifecycle.shuttingDown) return;
      player.connected = false;
      // Rejected at once while the room is disposing (Colyseus then calls onLeave); the timeout
      // rejection is Colyseus's own to handle.
      const seat = this.allowReconnection(client, reconnectWindowS) as unknown as Promise<unknown>;
      seat.catch?.(() => undefined);
    }

    override async onReconnect(client: Client) {
      await this.kit.members.reattach(client);
      const player = this.state.players.get(client.sessionId);
      if (player) player.connected = true;
    }

    override async onLeave(client: Client, code?: number) {
      this.kit.forget(client.sessionId);
      const player = this.state.players.get(client.sessionId);
      const member = await this.kit.members.remove(client.sessionId, code);
      if (!member || !player) return;
      this.state.players.delete(client.sessionId);
      if (this.state.ownerId === player.userId) {
        const next = [...this.state.players.values()][0];
        this.state.ownerId = next?.userId ?? '';
      }
      await this.onPlayerLeave(client.sessionId, player);
    }

    override async onDispose() {
      if (this.kit) deps.gameRooms.count--;
      await Promise.all(this.kit.members.all().map((m) => this.kit.members.remove(m.client.sessionId)));
      await Promise.all([this.kit.members.log('dispose', null, 'success'), this.kit.flush(), this.kit.unlist()]);
    }

    /** System chat to everyone in the room (admin API: remoteRoomCall(roomId, 'sendSystem', [text])). */
    sendSystem(text: string): ChatLine {
      return this.kit.sendSystem(text);
    }

    /**
     * The game starts: teams are fixed and the room takes no one new (a reconnecting seat still
     * comes back). The base room starts once every seat is taken and every player is ready; a game
     * with its own rule calls this itself (tic-tac-toe does, from onPlayerReady).
     */
    startGame(): void {
      if (this.state.startedAt) return;
      this.state.startedAt = deps.clock.now();
      void this.lock();
    }

    allSeatedAndReady(): boolean {
      const players = [...this.state.players.values()];
      return players.length === this.maxClients && players.every((p) => p.ready);
    }

    teamSize(): number {
      return this.rule.teamSize ?? Math.ceil(this.rule.maxClients / Math.max(1, this.rule.teams.length));
    }

    /** Round-robin over the mode's teams, filling the smallest team first. */
    nextTeam(): string {
      const teams = this.rule.teams;
      if (!teams.length) return '';
      const counts = new Map(teams.map((t) => [t, 0]));
      for (const p of this.state.players.values()) if (counts.has(p.team)) counts.set(p.team, counts.get(p.team)! + 1);
      return teams.reduce((best, t) => (counts.get(t)! < counts.get(best)! ? t : best), teams[0]!);
    }
  };
}
