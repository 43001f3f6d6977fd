/**
 * @colyseus/sdk helpers for black-box room tests: a client per user, a recorder of every room
 * message, waiting for messages, state and close codes, and simulating a network drop.
 */
import { Client, type Room } from '@colyseus/sdk';
import type { Endpoint } from './server.ts';

export type { Room };

export function sdkClient(server: Pick<Endpoint, 'url'>, token?: string): Client {
  const client = new Client(server.url);
  if (token) client.auth.token = token;
  return client;
}

export interface Recorded {
  type: string;
  message: any;
  at: number;
}

/** Every message a room receives, kept in order, with waiters. */
export class Recorder {
  readonly messages: Recorded[] = [];
  private waiters: { test: (m: Recorded) => boolean; resolve: (m: Recorded) => void }[] = [];
  closeCode?: number;
  private closeWaiters: ((code: number) => void)[] = [];

  readonly room: Room;
  /** Resolves at the first full state (rejects after 5 s without one). */
  readonly firstState: Promise<void>;

  constructor(room: Room) {
    this.room = room;
    this.firstState = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no room state within 5000 ms of joining')), 5000);
      timer.unref();
      room.onStateChange.once(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.firstState.catch(() => {}); // only joinRoom awaits it
    room.onMessage('*', (type: string | number, message: unknown) => {
      const m = { type: String(type), message, at: Date.now() };
      this.messages.push(m);
      for (const w of [...this.waiters]) {
        if (w.test(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    room.onLeave((code: number) => {
      this.closeCode = code;
      for (const w of this.closeWaiters.splice(0)) w(code);
    });
  }

  of(type: string): any[] {
    return this.messages.filter((m) => m.type === type).map((m) => m.message);
  }

  /** Resolves with the first message (already received or future) of `type` matching `test`. */
  next(type: string, test: (message: any) => boolean = () => true, timeoutMs = 5000, since = 0): Promise<any> {
    const found = this.messages.slice(since).find((m) => m.type === type && test(m.message));
    if (found) return Promise.resolve(found.message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no "${type}" message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`));
      }, timeoutMs);
      const waiter = {
        test: (m: Recorded) => m.type === type && test(m.message),
        resolve: (m: Recorded) => {
          clearTimeout(timer);
          resolve(m.message);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Only messages arriving after this call. */
  upcoming(type: string, test: (message: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
    return this.next(type, test, timeoutMs, this.messages.length);
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`room not closed within ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }
}

export async function joinRoom(
  server: Pick<Endpoint, 'url'>,
  token: string | undefined,
  method: 'joinOrCreate' | 'create' | 'join' | 'joinById',
  nameOrId: string,
  options: Record<string, unknown> = {},
): Promise<{ room: Room<any>; rec: Recorder; client: Client }> {
  const client = sdkClient(server, token);
  const room = await (client as any)[method](nameOrId, options) as Room<any>;
  const rec = new Recorder(room);
  // The join resolves on JOIN_ROOM; a room with schema state sends its full state only after the
  // client's acknowledgement, so `room.state` is still empty here. Tests read it at once.
  if (room.serializerId === 'schema') await rec.firstState;
  return { room, rec, client };
}

/** Waits until `check()` is true (state sync, async effects), polling. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A network drop: the socket closes without the LEAVE_ROOM message, with a code the SDK treats as
 * "may reconnect" so it starts its automatic reconnection (when `reconnect` is true).
 */
export function dropConnection(room: Room, opts: { reconnect: boolean }): void {
  room.reconnection.minUptime = 0;
  room.reconnection.minDelay = 50;
  room.reconnection.delay = 50;
  room.reconnection.enabled = opts.reconnect;
  const ws = (room as any).connection.transport.ws;
  ws.close(4010, 'simulated drop'); // CloseCode.MAY_TRY_RECONNECT: the server sees a non-consented close
}

/** Joins and returns the refusal error (code, message), or throws when the join succeeded. */
export async function refusal(promise: Promise<Room<any>>): Promise<{ code: number; message: string }> {
  try {
    const room = await promise;
    await room.leave();
  } catch (err: any) {
    return { code: err.code, message: err.message };
  }
  throw new Error('join was expected to be refused');
}

/**
 * The rooms a describe block's tests join, left after each test: `track(join)` files a join's room
 * and hands the join back; `open.push(room)` files a room directly.
 */
export function useOpenRooms(): { open: Room[]; track: <T extends { room: Room }>(join: T) => T } {
  const open: Room[] = [];
  afterEach(async () => {
    await leaveAll(open);
  });
  return { open, track: (join) => (open.push(join.room), join) };
}

/** Leaves every still-open room (cleanup), never hanging on an already closed one. */
export async function leaveAll(rooms: Room[]): Promise<void> {
  await Promise.all(rooms.splice(0).map((r) => {
    if (!(r as any).connection?.isOpen) return undefined;
    return Promise.race([r.leave().catch(() => undefined), new Promise((res) => setTimeout(res, 2000))]);
  }));
}
