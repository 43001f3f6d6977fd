/**
 * Core tests: the services of the composition root (`buildServices`, the same function the server
 * runs) built inside the test process on an in-memory SQLite with the offset clock. No child
 * process, no HTTP: a rule is checked in milliseconds, and "nothing more happens" is checked by
 * awaiting the work itself rather than by sleeping. The black-box suites keep the contract.
 *
 * Services are used through their public methods only; the `Services` type is taken from the
 * builder's return type, so this file does not depend on where that type is declared.
 */
import { buildServices } from '../../arena.config.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { OffsetClock } from '../../src/platform/clock.ts';
import { DomainEvents } from '../../src/platform/events.ts';
import { newPhone } from './users.ts';

export type CoreServices = Awaited<ReturnType<typeof buildServices>>;

export interface Core {
  services: CoreServices;
  /** The services' clock (TEST_HOOKS makes it an OffsetClock): move it, never sleep. */
  clock: OffsetClock;
  /** Runs the lifecycle's start hooks (event listeners, scans, workers), as `listen()` does. */
  start(): Promise<void>;
  /** Resolves once every domain-event listener started so far (and any they set off) has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Domain events run their listeners after the operation that raised them and never hand back
 * their work. In this test process every listener's promise is kept, per events object, so a test
 * can await "everything a login set off" instead of sleeping and hoping.
 */
const pendingOf = new WeakMap<DomainEvents, Set<Promise<unknown>>>();
const subscribe = DomainEvents.prototype.on as (this: DomainEvents, event: string, listener: (payload: unknown) => unknown) => () => void;
DomainEvents.prototype.on = function on(this: DomainEvents, event: string, listener: (payload: unknown) => unknown) {
  return subscribe.call(this, event, (payload: unknown) => {
    const work = Promise.resolve().then(() => listener(payload));
    let pending = pendingOf.get(this);
    if (!pending) pendingOf.set(this, (pending = new Set()));
    pending.add(work);
    const done = () => pending.delete(work);
    work.then(done, done);
    return work;
  });
} as unknown as DomainEvents['on'];

async function settle(events: DomainEvents): Promise<void> {
  for (;;) {
    // Listeners are called a microtask after emit: let those queued by the caller's last step start.
    await new Promise((r) => setImmediate(r));
    const pending = [...(pendingOf.get(events) ?? [])];
    if (!pending.length) return;
    await Promise.allSettled(pending);
  }
}

/** Settings of every core test; a test file adds the ones its rules need. */
export const CORE_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  DATABASE_URL: 'sqlite::memory:',
  TEST_HOOKS: '1',
  LOG_LEVEL: 'silent',
  LOG_PRETTY: 'false',
  PORT: '0',
  BCRYPT_COST: '4',
  // Periodic work runs only when a test asks for it.
  TRIGGER_SCAN_MS: '3600000',
};

export async function startCore(env: Record<string, string> = {}): Promise<Core> {
  const config = loadConfig({ ...CORE_ENV, ...env });
  const logger = createLogger({ level: 'silent', pretty: false });
  const services = await buildServices(config, logger);
  let started = false;
  return {
    services,
    clock: services.clock as OffsetClock,
    async start() {
      started = true;
      await services.lifecycle.start();
    },
    settled: () => settle(services.events),
    async stop() {
      services.lifecycle.shuttingDown = true;
      if (started) await services.lifecycle.stop();
      await services.logs.close();
      await services.bus.close();
      await services.db.close();
    },
  };
}

export interface CorePlayer {
  id: string;
  phone: string;
  name: string;
  password: string;
}

/** Registers a player through AccountService, as the HTTP route does (dev SMS code, then register). */
export async function registerPlayer(core: Core, opts: { name?: string; ip?: string } = {}): Promise<CorePlayer> {
  const { accounts } = core.services;
  const phone = newPhone();
  const password = 'correct horse battery';
  const ip = opts.ip ?? '127.0.0.1';
  const { devCode } = await accounts.requestCode(phone, 'register', ip);
  const session = await accounts.register({ phone, code: devCode!, password, ...(opts.name ? { name: opts.name } : {}) }, ip);
  return { id: session.user.id, phone: session.user.phone, name: session.user.name, password };
}

/** Epoch ms of a wall time in a time zone without DST at that date (offset in hours east of UTC). */
export function wallTime(offsetH: number, y: number, m: number, d: number, hh = 0, mm = 0): number {
  return Date.UTC(y, m - 1, d, hh - offsetH, mm);
}
