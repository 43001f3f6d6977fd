import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import { OnlineUser, User } from '../accounts/accounts.entities.ts';

/** A room as the matchmaker lists it (Colyseus IRoomCache, the fields we read). */
export interface RoomListing {
  roomId: string;
  name: string;
  clients: number;
  maxClients: number;
  metadata?: Record<string, unknown> | null;
  processId?: string;
  publicAddress?: string;
  private?: boolean;
  unlisted?: boolean;
}

export interface LobbyRoomView {
  roomId: string;
  name: string;
  mode: string;
  clients: number;
  maxClients: number;
  metadata: Record<string, unknown>;
}

export interface ServerView {
  address: string;
  rooms: number;
  clients: number;
}

export interface LobbySnapshot {
  rooms: LobbyRoomView[];
  servers: ServerView[];
  online: number;
}

export interface OnlinePage {
  count: number;
  players: { userId: string; name: string }[];
}

/**
 * The lobby's data (S3): public game rooms, game servers and online players. The room list comes
 * from the matchmaker (`listRooms`, backed by the driver, so the Redis driver gives the cluster's
 * rooms); online players come from `online_user`. Used by the lobby room's pushes and by
 * `GET /api/v1/lobby`, so both show the same thing.
 */
export class LobbyService {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly listRooms: () => Promise<RoomListing[]>;
  private readonly countOnlineRows: () => Promise<number>;
  private readonly localProcessId: () => string | undefined;
  private readonly localAddress: () => string;
  private readonly staleMs: number;
  private readonly lobbyRoomName: string;

  constructor(deps: {
    em: () => EntityManager;
    clock: Clock;
    listRooms: () => Promise<RoomListing[]>;
    /** Live `online_user` rows (OnlineService.countOnline). */
    countOnline: () => Promise<number>;
    localProcessId: () => string | undefined;
    localAddress: () => string;
    onlineStaleS: number;
    lobbyRoomName?: string;
  }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.listRooms = deps.listRooms;
    this.countOnlineRows = deps.countOnline;
    this.localProcessId = deps.localProcessId;
    this.localAddress = deps.localAddress;
    this.staleMs = deps.onlineStaleS * 1000;
    this.lobbyRoomName = deps.lobbyRoomName ?? 'lobby';
  }

  async snapshot(): Promise<LobbySnapshot> {
    const [listings, online] = await Promise.all([this.listRooms(), this.countOnline()]);
    return { rooms: this.publicRooms(listings), servers: this.servers(listings), online };
  }

  /** What the lobby room pushes: `online` (count + first page) and `servers`. */
  async pushData(): Promise<{ online: OnlinePage; servers: ServerView[] }> {
    const [listings, online] = await Promise.all([this.listRooms(), this.onlinePage()]);
    return { online, servers: this.servers(listings) };
  }

  /** Public, listed game rooms (private rooms and the lobby itself are not shown). */
  publicRooms(listings: RoomListing[]): LobbyRoomView[] {
    return listings
      .filter((r) => r.name !== this.lobbyRoomName && !r.private && !r.unlisted)
      .map((r) => ({
        roomId: r.roomId,
        name: r.name,
        mode: String(r.metadata?.mode ?? ''),
        clients: r.clients,
        maxClients: r.maxClients,
        metadata: r.metadata ?? {},
      }));
  }

  /** One entry per game server: its game rooms (public or not) and its connected room clients. */
  servers(listings: RoomListing[]): ServerView[] {
    const byAddress = new Map<string, ServerView>();
    const local = this.localProcessId();
    const own = this.localAddress();
    byAddress.set(own, { address: own, rooms: 0, clients: 0 });
    for (const r of listings) {
      const address = r.publicAddress || (r.processId === undefined || r.processId === local ? own : r.processId);
      let s = byAddress.get(address);
      if (!s) byAddress.set(address, (s = { address, rooms: 0, clients: 0 }));
      if (r.name !== this.lobbyRoomName) s.rooms += 1;
      s.clients += r.clients;
    }
    return [...byAddress.values()].sort((a, b) => a.address.localeCompare(b.address));
  }

  countOnline(): Promise<number> {
    return this.countOnlineRows();
  }

  /** The count and the first page of online players (by connection time), with their names. */
  async onlinePage(limit = 20): Promise<OnlinePage> {
    const em = this.em();
    const [count, rows] = await Promise.all([
      this.countOnlineRows(),
      em.find(OnlineUser, this.liveWhere(), { orderBy: { connectedAt: 'asc' }, limit: limit * 2, fields: ['sessionId', 'userId'] }),
    ]);
    const ids = [...new Set(rows.map((r) => r.userId))].slice(0, limit);
    const users = ids.length ? await em.find(User, { id: { $in: ids } }, { fields: ['id', 'name'] }) : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    return { count, players: ids.map((userId) => ({ userId, name: names.get(userId) ?? '' })) };
  }

  private liveWhere() {
    return { offlineAt: null, lastSeenAt: { $gte: new Date(this.clock.now() - this.staleMs) } };
  }
}
