/**
 * Composition root: builds the one `services` object from config, then wires the Express routes,
 * the Colyseus rooms and the lifecycle around it. Nothing else in the tree constructs a service.
 */
import http from 'node:http';
import os from 'node:os';
import { BACKGROUND_NICE, lowerThreadPoolPriority } from './src/platform/threads.ts';
import express from 'express';
import { Server, LocalPresence, matchMaker, type Presence } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { createTransport } from './rooms/transport.ts';
import type { Config } from './src/platform/config.ts';
import { OffsetClock, SystemClock, type Clock } from './src/platform/clock.ts';
import { openDatabase } from './src/platform/db.ts';
import { LocalBus, type Bus } from './src/platform/bus.ts';
import { Snowflake } from './src/platform/ids.ts';
import type { Logger } from './src/platform/logger.ts';
import { Metrics } from './src/platform/metrics.ts';
import { ConnectionGate } from './src/platform/connections.ts';
import { Lifecycle } from './src/platform/lifecycle.ts';
import { AppError } from './src/platform/errors.ts';
import { errorHandler, mountRoutes, notFoundHandler, requestContext, sendError, type Route } from './src/platform/http.ts';
import { Outages, bounded } from './src/platform/outage.ts';
import { productVersion } from './src/platform/version.ts';
import { MONITOR_CSP, corsPolicy } from './src/platform/web-security.ts';
import { installFrontDoor } from './src/platform/front-door.ts';
import { ProcessRegistry } from './src/cluster/registry.ts';
import { JobLeases } from './src/cluster/leases.ts';
import { ClusterJobs } from './src/cluster/jobs.ts';
import { LiveRooms } from './src/cluster/live-rooms.ts';
import { LogWriterThread } from './src/logs/log-writer.ts';
import { connectCluster, forgetDeadProcessRooms } from './rooms/cluster.ts';
import { disableColyseusCors, isMatchmakePath, matchmakeHandler } from './rooms/matchmaking.ts';
import { SeatQuota } from './rooms/seats.ts';
import { LogService } from './src/logs/logs.service.ts';
import { SessionService } from './src/accounts/sessions.service.ts';
import { AccountService } from './src/accounts/accounts.service.ts';
import { MaintenanceService } from './src/accounts/maintenance.service.ts';
import { accountRoutes } from './src/accounts/accounts.routes.ts';
import { DevSmsProvider, HttpSmsProvider, type SmsProvider } from './src/accounts/sms.ts';
import { OnlineService } from './src/accounts/online.service.ts';
import { CodeService } from './src/accounts/codes.service.ts';
import { RateLimits } from './src/accounts/rate-limits.ts';
import { DevThirdPartyVerifier, HttpThirdPartyVerifier, type ThirdPartyVerifier } from './src/accounts/third-party.ts';
import { IdentityVault } from './src/accounts/identity.vault.ts';
import { DevIdentityVerifier, HttpIdentityVerifier, type IdentityVerifier } from './src/accounts/identity.verifier.ts';
import { IdentityService } from './src/accounts/identity.service.ts';
import { identityRoutes } from './src/accounts/identity.routes.ts';
import { PlayTimeService } from './src/accounts/play-time.service.ts';
import { PlayTimeGuard } from './src/accounts/play-time.guard.ts';
import { playTimeRoutes } from './src/accounts/play-time.routes.ts';
import { ChannelRegistry } from './src/platform/channels.ts';
import { DomainEvents } from './src/platform/events.ts';
import { AdminService } from './src/admin/admin.service.ts';
import { bootstrapAdmins } from './src/admin/admin.bootstrap.ts';
import { Passwords } from './src/platform/passwords.ts';
import { adminRoutes } from './src/admin/admin.routes.ts';
import { adminUserRoutes } from './src/admin/admin-users.routes.ts';
import { monitor } from '@colyseus/monitor';
import { downloadRoutes } from './src/downloads/downloads.routes.ts';
import { logRoutes } from './src/logs/logs.routes.ts';
import { analyticsRoutes } from './src/analytics/analytics.routes.ts';
import { dbToolRoutes } from './src/dbtool/dbtool.routes.ts';
import { opsRoutes } from './src/ops/ops.routes.ts';
import { basicAdminAuth } from './src/ops/monitor.ts';
import { openApiRoutes } from './src/ops/openapi.routes.ts';
import { createOperations } from './src/ops/ops.module.ts';
import { AdminUsersService } from './src/admin/admin-users.service.ts';
import { GameService } from './src/game/game.service.ts';
import { gameRoutes } from './src/game/game.routes.ts';
import { MailService } from './src/mail/mail.service.ts';
import { MysqlClaimCall } from './src/mail/mail.claim.mysql.ts';
import { mailRoutes } from './src/mail/mail.routes.ts';
import { clusterQuery, defineRooms, localOptions } from './rooms/index.ts';
import { LobbyService, type RoomListing } from './src/lobby/lobby.service.ts';
import { lobbyRoutes } from './src/lobby/lobby.routes.ts';
import { createPush } from './src/push/push.module.ts';
import { pushRoutes } from './src/push/push.routes.ts';
import { webRoutes } from './src/web/web.routes.ts';
import type { Services } from './src/services.ts';

const VERSION = productVersion();

/** How long a seat reservation made by matchmaking is counted before its client joins (Colyseus holds seats 15 s). */
const SEAT_RESERVATION_TTL_S = 20;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, only not ours to signal
  }
}

export async function buildServices(config: Config, logger: Logger): Promise<Services> {
  // Platform
  const clock: Clock = config.testHooks ? new OffsetClock() : new SystemClock();
  const wallClock: Clock = new SystemClock();
  const outages = new Outages({ logger, now: () => wallClock.now() });
  const db = await openDatabase(config.databaseUrl, logger);
  const cluster = config.redisUrl ? await connectCluster(config.redisUrl, logger) : undefined;
  if (cluster) {
    cluster.redis.onDown((err) => outages.down('redis', err));
    cluster.redis.onReconnected(() => outages.up('redis'));
  }
  const bus: Bus = cluster?.bus ?? new LocalBus();
  const presence: Presence = cluster?.presence ?? new LocalPresence();
  const metrics = new Metrics();
  const lifecycle = new Lifecycle({ logger });
  const ids = new Snowflake({ clock, worker: 0 }); // the worker id is leased from the registry before listening
  const events = new DomainEvents({ onError: (err, event) => logger.error({ err, module: 'events', event }, 'event listener failed') });
  const channels = new ChannelRegistry({ bus });
  const connections = new ConnectionGate({ max: config.maxConnections, metrics });
  const logs = new LogService({ em: db.em, clock, logger });
  // Every chat line of every room: written from a thread of its own (an in-memory SQLite has no second connection).
  if (config.databaseUrl !== 'sqlite::memory:') logs.offload('broadcast', new LogWriterThread({ databaseUrl: config.databaseUrl, logger }));
  const passwords = await Passwords.create(config.bcryptCost, config.bcryptConcurrency || Math.max(1, os.availableParallelism() - 1));
  // The pool has started (the dummy hash above): bcrypt and the pool's other work yield to the rooms.
  const lowered = lowerThreadPoolPriority();
  logger.debug({ module: 'platform', threads: lowered, nice: BACKGROUND_NICE }, 'thread pool priority lowered');
  let address = config.publicAddress ?? `127.0.0.1:${config.port}`;
  const publicAddress = () => address;
  // First start hook: every later one (push manager, rooms) sees the address with the real port.
  lifecycle.onStart('address', () => {
    if (!config.publicAddress) address = `127.0.0.1:${ports.get(services) ?? config.port}`;
    registry.identify({ address, port: ports.get(services) ?? config.port });
  });
  const registry = new ProcessRegistry({
    em: db.em, now: () => wallClock.now(), logger, deadAfterMs: config.clusterDeadAfterMs,
    self: {
      processId: '', address: config.port === 0 && !config.publicAddress ? '' : address, host: os.hostname(), port: config.port, pid: process.pid,
      cluster: Boolean(cluster), redis: cluster?.redis.identity ?? null, version: VERSION,
    },
    load: () => ({ ccu: connections.count('ws'), rooms: gameRooms.count, sse: connections.count('sse'), pushQueue: push.queueDepth() }),
    isAlive: (pid) => pid !== process.pid && pidAlive(pid),
  });
  // Taken for dead while it only stalled (its slot was reaped): a new worker id, and its rows again.
  registry.onSlotChanged((workerId) => {
    ids.setWorker(workerId);
    void liveRooms.reassert().catch((err) => logger.warn({ err, module: 'rooms' }, 'room rows not rewritten'));
    void upkeep();
  });
  registry.onHealth((healthy, err) => (healthy ? outages.up('database') : outages.down('database', err)));
  const leases = new JobLeases({ em: db.em, now: () => wallClock.now(), holder: () => registry.self.processId });
  const jobs = new ClusterJobs({ lifecycle, leases, logger });
  const seats = new SeatQuota({ presence, limit: config.roomsPerUser, processId: () => registry.self.processId, reservationTtlS: SEAT_RESERVATION_TTL_S });
  const gameRooms = { count: 0 };
  const liveRooms = new LiveRooms({ em: db.em, clock: wallClock, logger, address: publicAddress, processId: () => registry.self.processId });
  lifecycle.every('rooms-table', 1000, () => liveRooms.flush());
  lifecycle.onStart('registry', () => registry.tick());
  lifecycle.every('registry-heartbeat', config.clusterHeartbeatMs, () => registry.tick(), { delayFirst: true });
  // Registered early, so it runs late in a stop: after SSE streams end and workers stop.
  lifecycle.onStop('registry', async () => {
    const processId = registry.self.processId;
    await online.processGone(processId).catch((err) => logger.warn({ err, module: 'online' }, 'online rows not closed at stop'));
    await liveRooms.processGone(processId).catch(() => undefined);
    await leases.releaseAll().catch(() => undefined);
    await registry.stop();
    // After the row says stopped: a process that drops us on hearing this does not see us again at its next heartbeat.
    await bus.publish('process.gone', { processId });
  });

  // Accounts (S2)
  const sessions = new SessionService({ config, clock, bus, em: db.em });
  const sms: SmsProvider = config.smsProvider === 'http'
    ? new HttpSmsProvider({ url: config.smsHttpUrl!, token: config.smsHttpToken, logger })
    : new DevSmsProvider();
  const online = new OnlineService({ em: db.em, clock, logger, staleS: config.onlineStaleS, processId: () => registry.self.processId });
  // Every revocation, from any process, marks the session's online row closed.
  bus.subscribe('session.revoked', (m) => {
    online.sessionClosed([m.sessionId]).catch((err) => logger.warn({ err, module: 'online' }, 'online row not closed'));
  });
  const limits = new RateLimits({ em: db.em, clock });
  const codes = new CodeService({ config, clock, em: db.em, sms, limits, logger, secret: sessions.derivedSecret('sms-codes') });
  const verifier: ThirdPartyVerifier = config.thirdPartyVerifier === 'http'
    ? new HttpThirdPartyVerifier({ url: config.thirdPartyHttpUrl!, logger })
    : new DevThirdPartyVerifier();
  const identityVerifier: IdentityVerifier = config.identityVerifier === 'http'
    ? new HttpIdentityVerifier({ url: config.identityHttpUrl!, token: config.identityHttpToken, timeoutMs: config.identityHttpTimeoutMs, logger })
    : new DevIdentityVerifier();
  const identity = new IdentityService({
    em: db.em, clock, timezone: config.gameTimezone, vault: new IdentityVault({ key: config.identityKey, previousKey: config.identityKeyPrevious }),
    verifier: identityVerifier, limits, logs, logger, accountsPerId: config.identityAccountsPerId, attemptsPerDay: config.identityAttemptsPerDay,
  });
  const playTime = new PlayTimeService({ config, em: db.em, clock, bus, identity });
  bus.subscribe('holidays.changed', () => playTime.forgetHolidays());
  // Each process guards the game rooms it holds itself: warnings and 4105 need no cross-process message.
  if (playTime.enabled) {
    new PlayTimeGuard({ playTime, identity, channels, clock, warnS: config.playTimeWarnS, timezone: config.gameTimezone })
      .schedule(lifecycle, config.playTimeCheckMs);
  }
  const maintenance = new MaintenanceService({ em: db.em, clock, bus });
  bus.subscribe('maintenance.changed', () => maintenance.forget());
  const accounts = new AccountService({ config, clock, em: db.em, ids, sessions, passwords, codes, limits, online, verifier, logs, logger, events, maintenance, metrics, identity, playTime });

  // Admin (S10)
  const admin = new AdminService({ em: db.em, clock, logs, secret: sessions.derivedSecret('admin-tokens'), passwords, limits, config, bus });
  await bootstrapAdmins({ em: db.em, clock, logger, passwords, admin }, { username: config.adminUser, password: config.adminPassword, production: config.nodeEnv === 'production' });
  const adminUsers = new AdminUsersService({ em: db.em, clock, sessions, maintenance, identity, passwords });

  // Game data and mail (S7, S8)
  const game = new GameService({ em: db.em, clock, dialect: db.dialect });
  // MySQL/MariaDB: claims are one call of the `mail_claim` procedure, on a small pool of their own.
  const claimCall = db.dialect === 'mysql' ? new MysqlClaimCall(config.databaseUrl) : undefined;
  const mail = new MailService({ em: db.em, clock, config, dialect: db.dialect, claimCall, ids, logs, bus, game, logger, metrics });
  lifecycle.onStop('mail', () => mail.close());
  // Mail to all users lands in a mailbox at the user's next login (or mailbox read).
  events.on('login', ({ userId }) => mail.deliverGlobalAtLogin(userId));

  // Lobby (S3): the matchmaker's listings (local, or Redis for the whole cluster), servers, online count.
  const lobby = new LobbyService({
    em: db.em,
    listRooms: () => clusterQuery({ redis: cluster?.redis }, {}) as Promise<RoomListing[]>,
    online,
    processes: () => registry.liveNow(),
  });

  // Push (S5, S6) and operations (S8-S10)
  const push = createPush({ config, logger, clock, db, bus, ids, channels, events, connections, lifecycle, jobs, publicAddress });
  const operations = createOperations({
    config, db, clock, logger, logs, bus, lifecycle, jobs, metrics, connections, publicAddress, push, version: VERSION,
    rooms: {
      query: (conditions) => clusterQuery({ redis: cluster?.redis }, conditions) as never,
      call: (roomId, method, args) => bounded(matchMaker.remoteRoomCall(roomId, method as never, args), 5000, 'redis'),
    },
    localRooms: () => ({ rooms: matchMaker.stats.local.roomCount, ccu: matchMaker.stats.local.ccu }),
    processes: () => registry.liveNow(),
    pingRedis: cluster ? () => cluster.redis.ping() : undefined,
    clientErrorsOn: (userId) => accounts.clientErrorsEnabled(userId),
  });

  const services: Services = {
    config, logger, clock, db, bus, presence, ids, metrics, connections, lifecycle, logs, events, channels, publicAddress,
    sessions, sms, online, accounts, maintenance, identity, playTime, passwords, admin, adminUsers, game, mail, lobby, push, ...operations,
    wallClock, outages, redis: cluster?.redis, driver: cluster?.driver, registry, leases, jobs, seats, gameRooms, liveRooms,
  };
  const upkeep = () => online.upkeep([...channels.channels()].map((c) => c.sessionId))
    .catch((err) => logger.warn({ err, module: 'online' }, 'online rows upkeep failed'));
  // A dead process: its rooms leave every listing, its seats are freed, its players go offline.
  registry.onDead(async (p) => {
    const { alive, rooms } = await forgetDeadProcessRooms(p, logger);
    if (alive) return;
    const seatsFreed = await seats.releaseProcess(p.processId);
    await liveRooms.processGone(p.processId);
    const offline = await online.processGone(p.processId);
    await bus.publish('process.gone', { processId: p.processId });
    logger.info({ module: 'cluster', processId: p.processId, address: p.address, rooms, seatsFreed, offline }, 'cleaned up after a dead process');
  });
  // Another process stopped or died: the sessions it last saw that still have a channel here are live again.
  bus.subscribe('process.gone', (m) => {
    if (m.processId === registry.self.processId) return;
    registry.forget(m.processId); // every listing drops it now, not at the next heartbeat
    if (!lifecycle.shuttingDown) void upkeep();
  });
  // online_user stays true for every live channel of this process (S2), rooms and SSE alike.
  lifecycle.every('online-upkeep', Math.max(1000, Math.floor((config.onlineStaleS * 1000) / 4)), upkeep, { delayFirst: true });
  jobs.every('rate-limit-sweep', 3600_000, () => limits.sweep());
  lifecycle.onStop('sessions', () => {
    sessions.close();
    admin.close();
    channels.close();
  });
  return services;
}

/** The port each server object listens on (known once listening; PORT may be 0). */
const ports = new WeakMap<Services, number>();

export interface Arena {
  services: Services;
  server: Server;
  httpServer: http.Server;
  listen(): Promise<number>;
  shutdown(reason: string): Promise<void>;
}

/**
 * The server around the services: HTTP routes, Colyseus rooms and the lifecycle. `transport` makes
 * the WebSocket transport (by default Colyseus's with a frame limit and brief client-error logs: rooms/transport.ts).
 */
export function createArena(services: Services, opts: { transport?: (server: http.Server) => WebSocketTransport } = {}): Arena {
  const { config, logger, lifecycle } = services;
  const httpServer = http.createServer();
  const transport = opts.transport ? opts.transport(httpServer) : createTransport(httpServer, logger.child({ module: 'transport' }));
  // The transport prints every server error with its stack; a failed bind is ours to report, in one line.
  httpServer.removeAllListeners('error');
  const server = new Server({
    transport,
    presence: services.presence,
    driver: services.driver,
    // Clients reach every process at its own address; rooms are created where the request landed
    // (the proxy spreads requests), which also spares a remote create's IPC round trip.
    ...(config.redisUrl ? { publicAddress: services.publicAddress(), selectProcessIdToCreateRoom: async () => matchMaker.processId } : {}),
    greet: false,
    gracefullyShutdown: false,
    logger: logger.child({ module: 'colyseus' }),
    express: (app) => mountHttp(app, services),
  });
  defineRooms(server, services);

  let stopping: Promise<void> | undefined;
  const arena: Arena = {
    services,
    server,
    httpServer,
    async listen() {
      // Colyseus picks its process id while it sets the matchmaker up (it names IPC channels and listings).
      await matchMaker.onReady;
      services.registry.identify({ processId: matchMaker.processId });
      // Before listening: refuses (RegistryConflict) when another live process makes this start a split brain.
      const { workerId, replaced } = await services.registry.claim();
      services.ids.setWorker(workerId);
      try {
        // Colyseus never settles listen() when the bind fails (EADDRINUSE): the server's error decides.
        await new Promise<void>((resolve, reject) => {
          httpServer.once('error', reject);
          server.listen(config.port, config.host).then(resolve, reject);
        });
        httpServer.removeAllListeners('error');
        httpServer.on('error', (err) => logger.error({ err, module: 'http' }, 'HTTP server error'));
      } catch (err) {
        await services.registry.stop().catch(() => undefined);
        throw err;
      }
      disableColyseusCors();
      installFrontDoor(httpServer, {
        policy: corsPolicy(config),
        trustProxy: config.trustProxyHops > 0,
        own: isMatchmakePath,
        handle: matchmakeHandler({
          logger, outages: services.outages, trustProxyHops: config.trustProxyHops, bodyLimitBytes: config.bodyLimitBytes,
          unavailable: () => matchmakingUnavailable(services),
          cancelSeat: (userId) => services.seats.cancel(userId),
          localOptions,
        }),
      });
      const address = httpServer.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      ports.set(services, port);
      await lifecycle.start();
      if (replaced) void services.registry.runDead(replaced);
      await services.logs.write('system', { operation: 'server_started', result: 'success', detail: { port, pid: process.pid, address: services.publicAddress() } });
      logger.info({ module: 'server', port, address: services.publicAddress(), database: services.db.dialect }, 'server started');
      return port;
    },
    shutdown(reason: string) {
      stopping ??= (async () => {
        lifecycle.shuttingDown = true;
        logger.info({ module: 'server', reason }, 'server stopping');
        // Feature hooks first (tell clients, end SSE streams, stop workers), then rooms and transport.
        await lifecycle.stop();
        await server.gracefullyShutdown(false);
        await services.logs.write('system', { operation: 'server_stopped', result: 'success', detail: { reason, pid: process.pid } });
        await services.logs.close();
        await services.bus.close();
        await services.redis?.close();
        await services.db.close();
        logger.info({ module: 'server', reason }, 'server stopped');
      })();
      return stopping;
    },
  };
  return arena;
}

function mountHttp(app: express.Application, services: Services): void {
  const { config, logger, metrics, lifecycle } = services;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(logger, config.trustProxyHops));
  app.use(metrics.httpMiddleware());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const [database, presence] = await Promise.all([services.db.ping(), services.redis ? services.redis.ping() : Promise.resolve(true)]);
    const ready = database && presence && !lifecycle.shuttingDown;
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database, presence, shuttingDown: lifecycle.shuttingDown });
  });
  // The Colyseus monitor can call any room method: never reachable without admin credentials.
  app.use('/admin/monitor', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', MONITOR_CSP);
    next();
  }, basicAdminAuth({ admin: services.admin, clock: services.clock }), monitor());
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use((req, res, next) => {
    if (lifecycle.shuttingDown) return sendError(res, new AppError('UNAVAILABLE', 'server is shutting down'));
    next();
  });

  const api = express.Router();
  api.use(express.json({ limit: config.bodyLimitBytes, strict: false, type: () => true }));
  // Every routes table: auth, parsing, audit and the JSON answer are done by mountRoutes.
  const mount = <D>(table: readonly Route<D>[], deps: D) => mountRoutes(api, table, deps, services);
  mount(accountRoutes, services);
  mount(identityRoutes, services);
  mount(playTimeRoutes, services);
  mount(adminRoutes, services);
  mount(adminUserRoutes, services);
  mount(gameRoutes, services);
  mount(mailRoutes, services);
  mount(pushRoutes, { push: services.push, sse: services.push.sse });
  mount(lobbyRoutes, { lobby: services.lobby });
  mount(downloadRoutes, services);
  mount(logRoutes, services);
  mount(analyticsRoutes, services);
  mount(dbToolRoutes, services);
  mount(opsRoutes, services);
  mount(openApiRoutes, { version: VERSION });
  if (config.testHooks) api.use(testHooks(services));
  app.use('/api/v1', api);
  app.use(webRoutes(services));

  app.use(notFoundHandler);
  app.use(errorHandler(logger, services.outages, (err, req) => {
    void services.logs.write('error', { operation: 'http', result: 'fail', detail: { module: 'http', previousModule: req.path, message: String((err as Error)?.message ?? err) } });
  }));
}

/** Why matchmaking cannot run now, or undefined: it needs Redis in a cluster, and a process that is not stopping. */
function matchmakingUnavailable(services: Services): string | undefined {
  if (services.lifecycle.shuttingDown) return 'the server is shutting down; retry on another one';
  if (services.redis && !services.redis.ready()) return 'the cluster bus (Redis) is unreachable; retry shortly';
  return undefined;
}

/** Test-only endpoints (TEST_HOOKS=1, refused in production): move the injected clock. */
function testHooks(services: Services): express.Router {
  const r = express.Router();
  r.post('/__test/clock', (req, res) => {
    const clock = services.clock as OffsetClock;
    const body = (req.body ?? {}) as { advanceMs?: number; setMs?: number };
    if (typeof body.setMs === 'number') clock.set(body.setMs);
    if (typeof body.advanceMs === 'number') clock.advance(body.advanceMs);
    res.json({ now: clock.now() });
  });
  r.get('/__test/clock', (_req, res) => {
    res.json({ now: services.clock.now() });
  });
  return r;
}
