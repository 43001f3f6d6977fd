import { LobbyRoom as ColyseusLobbyRoom, type AuthContext, type Client } from '@colyseus/core';
import type { RoomDeps } from './deps.ts';
import { authorizeJoin } from './membership.ts';
import { RoomKit, type MessageTable } from './kit.ts';
import type { ChatLine } from './chat.ts';

/**
 * Room `lobby` (S3): Colyseus's LobbyRoom (`rooms`, `+`, `-` listings of public game rooms) plus
 * `online {count, players}` and `servers [...]` pushed every LOBBY_PUSH_MS and once on join, and
 * lobby chat. Pushes of the push feature (`marquee`, `announcement`, `system`, `mail`) arrive
 * through the channel registry: each lobby client is a `lobby` channel whose `send` forwards.
 */
export function createLobbyRoom(deps: RoomDeps) {
  return class LobbyRoom extends ColyseusLobbyRoom {
    kit!: RoomKit;
    private pushing = false;

    static override async onAuth(token: string, _options: unknown, ctx: AuthContext) {
      return authorizeJoin(deps, token, ctx, 'lobby');
    }

    override async onCreate(options: any) {
      await super.onCreate(options);
      this.kit = new RoomKit(deps, this, 'lobby');
      this.kit.list({ mode: null, private: false });
      this.kit.mount(this.messageTable());
      // On the room's clock: disposing the room clears it.
      this.clock.setInterval(() => void this.push(), deps.config.lobbyPushMs);
      void this.kit.members.log('create', null, 'success');
    }

    /** The lobby's own messages (Colyseus's LobbyRoom adds `filter`). */
    messageTable(): MessageTable {
      return { chat: this.kit.chat() };
    }

    override async onJoin(client: Client, options: any) {
      this.kit.members.admit(client);
      super.onJoin(client, options ?? {});
      void this.sendLobbyData([client]);
    }

    override async onLeave(client: Client, code?: number) {
      super.onLeave(client);
      this.kit.forget(client.sessionId);
      await this.kit.members.remove(client.sessionId, code);
    }

    override async onDispose() {
      super.onDispose();
      await Promise.all(this.kit.members.all().map((m) => this.kit.members.remove(m.client.sessionId)));
      await Promise.all([this.kit.members.log('dispose', null, 'success'), this.kit.flush(), this.kit.unlist()]);
    }

    /** System chat to everyone in the lobby (admin API: remoteRoomCall(roomId, 'sendSystem', [text])). */
    sendSystem(text: string): ChatLine {
      return this.kit.sendSystem(text);
    }

    private async push(): Promise<void> {
      if (this.pushing || !this.clients.length) return;
      this.pushing = true;
      try {
        await this.sendLobbyData();
      } finally {
        this.pushing = false;
      }
    }

    /** `online` and `servers` to the given clients, or to everyone. */
    private async sendLobbyData(to?: Client[]): Promise<void> {
      try {
        const data = await deps.lobby.pushData();
        for (const c of to ?? [...this.clients]) {
          c.send('online', data.online);
          c.send('servers', data.servers);
        }
      } catch (err) {
        deps.logger.warn({ err, module: 'lobby' }, 'lobby push failed');
      }
    }
  };
}
