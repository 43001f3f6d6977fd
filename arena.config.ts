/**
 * Composition root: builds the one `services` object from config, then wires the Express routes,
 * the Colyseus rooms and the lifecycle around it. Nothing else in the tree constructs a service.
 */
import http from 'node:http';
import express from 'express';
import { Server, LocalPresence, type Presence } from '@colyseus/core';
import type { WebSocketTransport } from '@colyseus/ws-transport';
import { createTransport } from './rooms/transport.ts';
import type { Config } from './src/platform/config.ts';
import { OffsetClock, SystemClock, type Clock } from './src/platform/clock.ts';
import { openDatabase, type Database } from './src/platform/db.ts';
import { LocalBus, type Bus } from './src/platform/bus.ts';
import { Snowflake, workerId } from './src/platform/ids.ts';
import type { Logger } from './src/platform/logger.ts';
import { Metrics } from './src/platform/metrics.ts';
import { ConnectionGate } from './src/platform/connections.ts';
import { Lifecycle } from './src/platform/lifecycle.ts';
import { AppError } from './src/platform/errors.ts';
import { errorHandler, notFoundHandler, requestContext, sendError } from './src/platform/http.ts';
import { LogService } from './src/logs/logs.service.ts';
import { SessionService } from './src/accounts/sessions.service.ts';
import { AccountService } from './src/accounts/accounts.service.ts';
import { accountRoutes } from './src/accounts/accounts.routes.ts';
import { DevSmsProvider, HttpSmsProvider, type SmsProvider } from './src/accounts/sms.ts';
import { OnlineService } from './src/accounts/online.service.ts';
import { CodeService } from './src/accounts/codes.service.ts';
import { RateLimits } from './src/accounts/rate-limits.ts';
import { DevThirdPartyVerifier, HttpThirdPartyVerifier, type ThirdPartyVerifier } from './src/accounts/third-party.ts';
import { ChannelRegistry } from './src/platform/channels.ts';
import { DomainEvents } from './src/platform/events.ts';
import { AdminService } from './src/admin/admin.service.ts';
import { adminRoutes } from './src/admin/admin.routes.ts';
import { monitor } from '@colyseus/monitor';
import { downloadRoutes } from './src/downloads/downloads.routes.ts';
import { logRoutes } from './src/logs/logs.routes.ts';
import { analyticsRoutes } from './src/analytics/analytics.routes.ts';
import { dbToolRoutes } from './src/dbtool/dbtool.routes.ts';
import { opsRoutes } from './src/ops/ops.routes.ts';
import { basicAdminAuth } from './src/ops/monitor.ts';
import { openApiRoutes } from './src/ops/openapi.routes.ts';
import { createOperations, type Operations } from './src/ops/ops.module.ts';
import { AdminUsersService } from './src/admin/admin-users.service.ts';
import { GameService } from './src/game/game.service.ts';
import { gameRoutes } from './src/game/game.routes.ts';
import { MailService } from './src/mail/mail.service.ts';
import { mailRoutes } from './src/mail/mail.routes.ts';
import { createLobbyService, defineRooms } from './rooms/index.ts';
import { lobbyRoutes } from './src/lobby/lobby.routes.ts';
import { createPush } from './src/push/push.module.ts';
import type { PushService } from './src/push/push.service.ts';
import { pushRoutes } from './src/push/push.routes.ts';
import { webRoutes } from './src/web/web.routes.ts';

export interface Services extends Operations {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  bus: Bus;
  presence: Presence;
  ids: Snowflake;
  metrics: Metrics;
  connections: ConnectionGate;
  lifecycle: Lifecycle;
  logs: LogService;
  sessions: SessionService;
  accounts: AccountService;
  sms: SmsProvider;
  online: OnlineService;
  channels: ChannelRegistry;
  events: DomainEvents;
  admin: AdminService;
  adminUsers: AdminUsersService;
  game: GameService;
  mail: MailService;
  /** Message push (S5, S6): SSE streams, triggers, templates, announcements. */
  push: PushService;
  /** This process's address as clients reach it (PUBLIC_ADDRESS, else 127.0.0.1:port once listening). */
  publicAddress: () => string;
}

export async function buildServices(config: Config, logger: Logger): Promise<Services> {
  // Platform
  const clock: Clock = config.testHooks ? new OffsetClock() : new SystemClock();
  const db = await openDatabase(config.databaseUrl, logger);
  const bus: Bus = new LocalBus();
  const presence: Presence = new LocalPresence();
  const metrics = new Metrics();
  const lifecycle = new Lifecycle(logger);
  const ids = new Snowflake(clock, workerId());
  const events = new DomainEvents((err, event) => logger.error({ err, module: 'events', event }, 'event listener failed'));
  const channels = new ChannelRegistry(bus);
  const connections = new ConnectionGate(config.maxConnections, metrics);
  const logs = new LogService({ em: db.em, clock, logger });
  let address = config.publicAddress ?? `127.0.0.1:${config.port}`;
  const publicAddress = () => address;
  // First start hook: every later one (push manager, rooms) sees the address with the real port.
  lifecycle.onStart('address', () => {
    if (!config.publicAddress) address = `127.0.0.1:${ports.get(services) ?? config.port}`;
  });

  // Accounts (S2)
  const sessions = new SessionService({ config, clock, bus, em: db.em });
  const sms: SmsProvider = config.smsProvider === 'http'
    ? new HttpSmsProvider({ url: config.smsHttpUrl!, token: config.smsHttpToken, logger })
    : new DevSmsProvider();
  const online = new OnlineService({ em: db.em, clock, logger, staleS: config.onlineStaleS });
  // Every revocation, from any process, marks the session's online row closed.
  bus.subscribe('session.revoked', (m) => {
    online.sessionClosed([m.sessionId]).catch((err) => logger.warn({ err, module: 'online' }, 'online row not closed'));
  });
  const limits = new RateLimits({ em: db.em, clock });
  const codes = new CodeService({ config, clock, em: db.em, sms, limits, logger, secret: sessions.derivedSecret('sms-codes') });
  const verifier: ThirdPartyVerifier = config.thirdPartyVerifier === 'http'
    ? new HttpThirdPartyVerifier({ url: config.thirdPartyHttpUrl!, logger })
    : new DevThirdPartyVerifier();
  const accounts = new AccountService({ config, clock, em: db.em, ids, sessions, codes, limits, online, verifier, logs, logger, events, bus, metrics });
  bus.subscribe('maintenance.changed', () => accounts.forgetMaintenance());

  // Admin (S10)
  const admin = new AdminService({ em: db.em, clock, logs, logger, secret: sessions.derivedSecret('admin-tokens'), bcryptCost: config.bcryptCost });
  await admin.bootstrap(config.adminUser, config.adminPassword);
  const adminUsers = new AdminUsersService({ em: db.em, clock, sessions, accounts, bcryptCost: config.bcryptCost });

  // Game data and mail (S7, S8)
  const game = new GameService({ em: db.em, clock, dialect: db.dialect });
  const mail = new MailService({ em: db.em, clock, config, dialect: db.dialect, databaseUrl: config.databaseUrl, ids, logs, bus, game, logger, metrics });
  lifecycle.onStop('mail', () => mail.close());
  // Mail to all users lands in a mailbox at the user's next login (or mailbox read).
  events.on('login', ({ userId }) => mail.deliverGlobalAtLogin(userId));

  // Push (S5, S6) and operations (S8-S10)
  const push = createPush({ config, logger, clock, db, bus, ids, channels, events, connections, lifecycle, publicAddress });
  const operations = createOperations({ config, db, clock, logger, logs, bus, lifecycle, metrics, connections, publicAddress, push });

  const services: Services = {
    config, logger, clock, db, bus, presence, ids, metrics, connections, lifecycle, logs, events, channels, publicAddress,
    sessions, sms, online, accounts, admin, adminUsers, game, mail, push, ...operations,
  };
  let sweep: NodeJS.Timeout | undefined;
  let onlineUpkeep: NodeJS.Timeout | undefined;
  lifecycle.onStart('account-timers', () => {
    sweep = setInterval(() => void limits.sweep().catch(() => undefined), 3600_000).unref();
    // online_user stays true for every live channel of this process (S2), rooms and SSE alike.
    onlineUpkeep = setInterval(() => {
      online.upkeep([...channels.channels()].map((c) => c.sessionId))
        .catch((err) => logger.warn({ err, module: 'online' }, 'online rows upkeep failed'));
    }, Math.max(1000, Math.floor((config.onlineStaleS * 1000) / 4))).unref();
  });
  lifecycle.onStop('sessions', () => {
    clearInterval(sweep);
    clearInterval(onlineUpkeep);
    sessions.close();
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
 * the WebSocket transport (by default Colyseus's, with writes coalesced per turn: rooms/transport.ts).
 */
export function createArena(services: Services, opts: { transport?: (server: http.Server) => WebSocketTransport } = {}): Arena {
  const { config, logger, metrics, lifecycle } = services;
  const httpServer = http.createServer();
  const transport = (opts.transport ?? createTransport)(httpServer);
  const server = new Server({
    transport,
    presence: services.presence,
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
      await server.listen(config.port, config.host);
      const address = httpServer.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      ports.set(services, port);
      await lifecycle.start();
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
        await services.bus.close();
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
    const database = await services.db.ping();
    const ready = database && !lifecycle.shuttingDown;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database, presence: true, shuttingDown: lifecycle.shuttingDown });
  });
  // The Colyseus monitor can call any room method: never reachable without admin credentials.
  app.use('/admin/monitor', basicAdminAuth({ checkPassword: (u, p) => services.admin.checkPassword(u, p), clock: services.clock }), monitor());
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
  api.use(accountRoutes(services));
  api.use(adminRoutes(services));
  api.use(gameRoutes(services));
  api.use(mailRoutes(services));
  api.use(pushRoutes({ push: services.push, sse: services.push.sse, sessions: services.sessions, admin: services.admin }));
  api.use(lobbyRoutes({ lobby: createLobbyService(services) }));
  api.use(downloadRoutes(services));
  api.use(logRoutes(services));
  api.use(analyticsRoutes(services));
  api.use(dbToolRoutes(services));
  api.use(opsRoutes(services));
  api.use(openApiRoutes({ version: process.env.npm_package_version ?? '0.1.0' }));
  if (config.testHooks) api.use(testHooks(services));
  app.use('/api/v1', api);
  app.use(webRoutes(services));

  app.use(notFoundHandler);
  app.use(errorHandler(logger, (err, req) => {
    void services.logs.write('error', { operation: 'http', result: 'fail', detail: { module: 'http', previousModule: req.path, message: String((err as Error)?.message ?? err) } });
  }));
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
