import type { EntityManager } from '@mikro-orm/sql';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { LiveRoom } from './cluster.entities.ts';

export interface LiveRoomInfo {
  id: string;
  type: string;
  mode: string | null;
  createdAt: number;
  private: boolean;
  clients: number;
  maxClients: number;
}

/**
 * The `rooms` table (the seed's 当前房间) of this process: a row per room it hosts. Creates and
 * disposes are written at once; client counts go out in one round of updates per `flush`, so a busy
 * room costs one write a second at most, never one per join.
 */
export class LiveRooms {
  private readonly em: () => EntityManager;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly address: () => string;
  private readonly processId: () => string;
  private readonly dirty = new Map<string, { clients: number; private: boolean }>();
  private readonly written = new Set<string>();
  private readonly rooms = new Map<string, LiveRoomInfo>();

  constructor(deps: { em: () => EntityManager; clock: Clock; logger: Logger; address: () => string; processId: () => string }) {
    this.em = deps.em;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.address = deps.address;
    this.processId = deps.processId;
  }

  created(room: LiveRoomInfo): void {
    this.rooms.set(room.id, room);
    this.insert(room);
  }

  private insert(room: LiveRoomInfo): void {
    const now = new Date(this.clock.now());
    this.em().insert(LiveRoom, {
      id: room.id, type: room.type, mode: room.mode, createdAt: new Date(room.createdAt), address: this.address(), processId: this.processId(),
      private: room.private, clients: room.clients, maxClients: room.maxClients, updatedAt: now,
    } as never).then(() => {
      this.written.add(room.id);
    }, (err) => this.logger.warn({ err, module: 'rooms', roomId: room.id }, 'room row not written'));
  }

  /** The room's clients or visibility changed: written at the next flush. */
  changed(roomId: string, state: { clients: number; private: boolean }): void {
    const room = this.rooms.get(roomId);
    if (room) Object.assign(room, state);
    this.dirty.set(roomId, state);
  }

  disposed(roomId: string): Promise<void> {
    this.rooms.delete(roomId);
    this.dirty.delete(roomId);
    this.written.delete(roomId);
    return this.em().nativeDelete(LiveRoom, { id: roomId }).then(() => undefined, (err) => {
      this.logger.warn({ err, module: 'rooms', roomId }, 'room row not removed');
    });
  }

  async flush(): Promise<void> {
    if (!this.dirty.size) return;
    const batch = [...this.dirty].filter(([id]) => this.written.has(id));
    for (const [id] of batch) this.dirty.delete(id);
    const em = this.em();
    const now = new Date(this.clock.now());
    for (const [id, state] of batch) await em.nativeUpdate(LiveRoom, { id }, { clients: state.clients, private: state.private, updatedAt: now });
  }

  /**
   * This process was taken for dead while it only stalled, and its rows were removed: write them
   * again (Colyseus restores its own listings the same way, from the receipt the sweep left).
   */
  async reassert(): Promise<void> {
    const ids = [...this.rooms.keys()];
    if (ids.length) await this.em().nativeDelete(LiveRoom, { id: { $in: ids } });
    this.written.clear();
    for (const room of this.rooms.values()) this.insert(room);
  }

  /** A process stopped or died: its rooms are gone with it. */
  processGone(processId: string): Promise<number> {
    return this.em().nativeDelete(LiveRoom, { processId });
  }
}
