import { AppError } from '../platform/errors.ts';

/** What the Colyseus matchmaker offers for every process of the cluster (an adapter in arena.config.ts). */
export interface RoomDirectory {
  query(conditions: Record<string, unknown>): Promise<RoomListing[]>;
  call(roomId: string, method: string, args?: unknown[]): Promise<unknown>;
}

export interface RoomListing {
  roomId: string;
  name: string;
  clients: number;
  maxClients: number;
  locked?: boolean;
  private?: boolean;
  metadata?: unknown;
  processId?: string;
  publicAddress?: string;
  createdAt?: string | Date;
}

function view(r: RoomListing): RoomListing {
  return {
    roomId: r.roomId,
    name: r.name,
    clients: r.clients,
    maxClients: r.maxClients,
    locked: Boolean(r.locked),
    private: Boolean(r.private),
    metadata: r.metadata ?? null,
    processId: r.processId,
    ...(r.publicAddress ? { publicAddress: r.publicAddress } : {}),
    ...(r.createdAt ? { createdAt: new Date(r.createdAt).toISOString() } : {}),
  };
}

/**
 * Room administration (S10): list the rooms of all processes, dispose one, or send it a system
 * message. Remote calls go through Colyseus IPC to whichever process hosts the room.
 */
export class RoomsAdminService {
  private readonly rooms: RoomDirectory;

  constructor(deps: { rooms: RoomDirectory }) {
    this.rooms = deps.rooms;
  }

  async list(): Promise<RoomListing[]> {
    return (await this.rooms.query({})).map(view);
  }

  async get(roomId: string): Promise<RoomListing> {
    const [room] = await this.rooms.query({ roomId });
    if (!room) throw new AppError('NOT_FOUND', `roomId: no room ${roomId}`);
    return room;
  }

  /**
   * A room with its state as plain JSON (players with name, team, ready; the game's own fields), read
   * from whichever process hosts it. Rooms without a state (the lobby) give `state: null`.
   */
  async inspect(roomId: string): Promise<{ room: RoomListing; state: unknown }> {
    const room = view(await this.get(roomId));
    const state = await this.remote(roomId, 'state');
    return { room, state: state === undefined || state === null ? null : JSON.parse(JSON.stringify(state)) };
  }

  /** Disconnects every client (Colyseus close code 4000) and disposes the room. */
  async dispose(roomId: string): Promise<RoomListing> {
    const room = await this.get(roomId);
    await this.remote(roomId, 'disconnect');
    return room;
  }

  /** A system chat line to everyone in the room (rooms implement `sendSystem(text)`). */
  async message(roomId: string, text: string): Promise<RoomListing> {
    const room = await this.get(roomId);
    await this.remote(roomId, 'sendSystem', [text]);
    return room;
  }

  private async remote(roomId: string, method: string, args?: unknown[]): Promise<unknown> {
    try {
      return await this.rooms.call(roomId, method, args);
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      if (/is not a function|Cannot read properties of undefined/.test(message)) {
        throw new AppError('CONFLICT', `roomId: room ${roomId} does not accept ${method}`);
      }
      if (/timed out|not available/.test(message)) throw new AppError('NOT_FOUND', `roomId: room ${roomId} is gone`);
      throw err;
    }
  }
}
