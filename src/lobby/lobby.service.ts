import type { EntityManager } from '@mikro-orm/sql';
import { User } from '../accounts/accounts.entities.ts';

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
  private readonly listRooms: () => Promise<RoomListing[]>;
  private readonly online: { countOnline(): Promise<number>; firstOnline(limit: number): Promise<string[]> };
  private readonly processes: () => { address: string; rooms: number; ccu: number }[];
  private readonly lobbyRoomName: string;

  constructor(deps: {
    em: () => EntityManager;
    listRooms: () => Promise<RoomListing[]>;
    /** Who is online (OnlineService: the live `online_user` rows). */
    online: { countOnline(): Promise<number>; firstOnline(limit: number): Promise<string[]> };
    /** Every live process with its load (the cluster registry). */
    processes: () => { address: string; rooms: number; ccu: number }[];
    lobbyRoomName?: string;
  }) {
    this.em = deps.em;
    this.listRooms = deps.listRooms;
    this.online = deps.online;
    this.processes = deps.processes;
    this.lobbyRoomName = deps.lobbyRoomName ?? 'lobby';
  }

  async snapshot(): Promise<LobbySnapshot> {
    const [listings, online] = await Promise.all([this.listRooms(), this.countOnline()]);
    return { rooms: this.publicRooms(listings), servers: this.servers(), online };
  }

  /** What the lobby room pushes: `online` (count + first page) and `servers`. */
  async pushData(): Promise<{ online: OnlinePage; servers: ServerView[] }> {
    return { online: await this.onlinePage(), servers: this.servers() };
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

  /** One entry per live game server (the seed's server_ip/room_players): its game rooms and its room clients. */
  servers(): ServerView[] {
    return this.processes()
      .map((p) => ({ address: p.address, rooms: p.rooms, clients: p.ccu }))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  countOnline(): Promise<number> {
    return this.online.countOnline();
  }

  /** The count and the first page of online players (by connection time), with their names. */
  async onlinePage(limit = 20): Promise<OnlinePage> {
    const [count, ids] = await Promise.all([this.online.countOnline(), this.online.firstOnline(limit)]);
    const users = ids.length ? await this.em().find(User, { id: { $in: ids } }, { fields: ['id', 'name'] }) : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    return { count, players: ids.map((userId) => ({ userId, name: names.get(userId) ?? '' })) };
  }
}
