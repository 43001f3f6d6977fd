import { z } from 'zod';
import { raw, route, type Route } from '../platform/http.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import { LOG_LEVELS, type LogLevelControl } from './log-level.ts';
import type { RoomsAdminService } from './rooms-admin.service.ts';
import type { StatusService } from './status.service.ts';

export const opsSchemas = {
  roomId: z.object({ id: z.string().min(1).max(64) }),
  message: z.object({ text: z.string().trim().min(1).max(500) }),
  logLevel: z.object({ level: z.enum(LOG_LEVELS) }),
  shutdown: z.object({ reason: z.string().max(200).optional() }),
};

const room = z.object({
  roomId: z.string(), name: z.string(), clients: z.number(), maxClients: z.number(), locked: z.boolean(), private: z.boolean(),
  metadata: z.unknown(), processId: z.string().optional(), publicAddress: z.string().optional(), createdAt: z.string().optional(),
});

const serverView = z.object({
  id: z.string(), workerId: z.number(), address: z.string(), host: z.string(), pid: z.number(), startedAt: z.string(), heartbeatAt: z.string(),
  ccu: z.number(), rooms: z.number(), sse: z.number(), pushQueue: z.number(),
});
const totals = z.object({ processes: z.number(), ccu: z.number(), rooms: z.number(), sse: z.number(), pushQueue: z.number() });

type Deps = { roomsAdmin: RoomsAdminService; logLevel: LogLevelControl; lifecycle: Lifecycle; status: StatusService };
const entry = route<Deps>();

export const opsRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/server-info', auth: 'none', summary: 'What runs here, for anyone: version, database, live processes and their CCU.', response: z.object({ version: z.string(), database: z.string(), processes: z.number(), ccu: z.number() }),
    handle: ({ status }) => status.info(),
  }),
  entry({
    method: 'get', path: '/admin/servers', auth: 'admin', audit: false, summary: 'Every live process of the cluster (registry heartbeats): address, load (CCU, game rooms, SSE streams, push queue) and the totals.', response: z.object({ servers: z.array(serverView), totals }),
    handle: ({ status }) => status.servers(),
  }),
  entry({
    method: 'get', path: '/admin/status', auth: 'admin', audit: false, summary: 'This process: address, uptime, database, log level, connections, rooms, cluster CCU.', response: z.object({ pid: z.number(), address: z.string() }).passthrough(),
    handle: ({ status }) => status.status(),
  }),
  entry({
    method: 'get', path: '/admin/rooms', auth: 'admin', audit: false, summary: 'Rooms of every process of the cluster.', response: z.object({ rooms: z.array(room) }),
    handle: async ({ roomsAdmin }) => ({ rooms: await roomsAdmin.list() }),
  }),
  entry({
    method: 'get', path: '/admin/rooms/:id', auth: 'admin', audit: false, params: opsSchemas.roomId, errors: ['NOT_FOUND'], summary: 'One room and its state as JSON (players by sessionId with userId, name, ready, connected, team; mode, owner; a game\'s own fields); state is null for the lobby.', response: z.object({ room, state: z.unknown() }),
    handle: ({ roomsAdmin }, { params }) => roomsAdmin.inspect(params.id),
  }),
  entry({
    method: 'delete', path: '/admin/rooms/:id', auth: 'admin', audit: 'room_dispose', params: opsSchemas.roomId, status: 204, errors: ['NOT_FOUND'], summary: 'Disconnects everyone (close 4000) and disposes the room. Audited.',
    handle: async ({ roomsAdmin }, { params: { id } }, ctx) => {
      const room = await roomsAdmin.dispose(id);
      ctx.audit({ before: { roomId: id, name: room.name, clients: room.clients } });
    },
  }),
  entry({
    method: 'post', path: '/admin/rooms/:id/message', auth: 'admin', audit: 'room_message', params: opsSchemas.roomId, status: 204, body: opsSchemas.message, errors: ['NOT_FOUND', 'CONFLICT'], summary: 'A system chat line to everyone in the room (kind "system"). Audited.',
    handle: async ({ roomsAdmin }, { params: { id }, body: { text } }, ctx) => {
      await roomsAdmin.message(id, text);
      ctx.audit({ after: { roomId: id, text } });
    },
  }),
  entry({
    method: 'get', path: '/admin/log-level', auth: 'admin', audit: false, response: opsSchemas.logLevel, summary: 'Current pino level of this process.',
    handle: ({ logLevel }) => ({ level: logLevel.level }),
  }),
  entry({
    method: 'put', path: '/admin/log-level', auth: 'admin', audit: 'log_level', body: opsSchemas.logLevel, response: opsSchemas.logLevel, summary: 'Changes the pino level at once on every process. Audited.',
    handle: async ({ logLevel }, { body: { level } }, ctx) => {
      const before = logLevel.level;
      await logLevel.set(level);
      ctx.audit({ before: { level: before }, after: { level } });
      ctx.log.info({ module: 'ops', from: before, to: level }, 'log level changed');
      return { level };
    },
  }),
  entry({
    method: 'post', path: '/admin/shutdown', auth: 'admin', audit: 'shutdown', status: 202, body: opsSchemas.shutdown, summary: 'Graceful stop of this process (same as SIGTERM): 202, then clients are told, rooms disposed, exit 0. Audited.',
    handle: ({ lifecycle }, { body: { reason } }, ctx) => {
      ctx.audit({ after: { reason: reason ?? null } });
      const { username } = ctx.admin;
      // The stop starts once the 202 is out.
      return raw((req, res) => {
        const log = req.log;
        res.on('finish', () => setImmediate(() => {
          try {
            lifecycle.requestShutdown(`admin:${username}`);
          } catch (err) {
            log.error({ err, module: 'ops' }, 'shutdown request failed');
          }
        }));
        res.status(202).json({ status: 'stopping' });
      });
    },
  }),
];
