import { Router } from 'express';
import { z } from 'zod';
import { bodyOf, parse } from '../platform/http.ts';
import type { RouteDoc } from '../platform/openapi.ts';
import type { Lifecycle } from '../platform/lifecycle.ts';
import type { AdminService } from '../admin/admin.service.ts';
import { auditFrom, requireAdmin } from '../admin/admin.middleware.ts';
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

export const opsRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/server-info', auth: 'none', summary: 'What runs here, for anyone: version, database, live processes and their CCU.', response: z.object({ version: z.string(), database: z.string(), processes: z.number(), ccu: z.number() }) },
  { method: 'get', path: '/admin/servers', auth: 'admin', summary: 'Every live process of the cluster (registry heartbeats): address, load (CCU, game rooms, SSE streams, push queue) and the totals.', response: z.object({ servers: z.array(serverView), totals }) },
  { method: 'get', path: '/admin/status', auth: 'admin', summary: 'This process: address, uptime, database, log level, connections, rooms, cluster CCU.', response: z.object({ pid: z.number(), address: z.string() }).passthrough() },
  { method: 'get', path: '/admin/rooms', auth: 'admin', summary: 'Rooms of every process of the cluster.', response: z.object({ rooms: z.array(room) }) },
  { method: 'get', path: '/admin/rooms/:id', auth: 'admin', errors: ['NOT_FOUND'], summary: 'One room and its state as JSON (players by sessionId with userId, name, ready, connected, team; mode, owner; a game\'s own fields); state is null for the lobby.', response: z.object({ room, state: z.unknown() }) },
  { method: 'delete', path: '/admin/rooms/:id', auth: 'admin', status: 204, errors: ['NOT_FOUND'], summary: 'Disconnects everyone (close 4000) and disposes the room. Audited.' },
  { method: 'post', path: '/admin/rooms/:id/message', auth: 'admin', status: 204, body: opsSchemas.message, errors: ['NOT_FOUND', 'CONFLICT'], summary: 'A system chat line to everyone in the room (kind "system"). Audited.' },
  { method: 'get', path: '/admin/log-level', auth: 'admin', response: opsSchemas.logLevel, summary: 'Current pino level of this process.' },
  { method: 'put', path: '/admin/log-level', auth: 'admin', body: opsSchemas.logLevel, response: opsSchemas.logLevel, summary: 'Changes the pino level at once on every process. Audited.' },
  { method: 'post', path: '/admin/shutdown', auth: 'admin', status: 202, body: opsSchemas.shutdown, summary: 'Graceful stop of this process (same as SIGTERM): 202, then clients are told, rooms disposed, exit 0. Audited.' },
];

export function opsRoutes(deps: { admin: AdminService; roomsAdmin: RoomsAdminService; logLevel: LogLevelControl; lifecycle: Lifecycle; status: StatusService }): Router {
  const r = Router();
  const admin = requireAdmin(deps.admin);

  r.get('/server-info', (_req, res) => {
    res.json(deps.status.info());
  });

  r.get('/admin/status', admin, async (_req, res) => {
    res.json(await deps.status.status());
  });

  r.get('/admin/servers', admin, (_req, res) => {
    res.json(deps.status.servers());
  });

  r.get('/admin/rooms', admin, async (_req, res) => {
    res.json({ rooms: await deps.roomsAdmin.list() });
  });

  r.get('/admin/rooms/:id', admin, async (req, res) => {
    const { id } = parse(opsSchemas.roomId, req.params, 'params');
    res.json(await deps.roomsAdmin.inspect(id));
  });

  r.delete('/admin/rooms/:id', admin, async (req, res) => {
    const { id } = parse(opsSchemas.roomId, req.params, 'params');
    const room = await deps.roomsAdmin.dispose(id);
    await auditFrom(deps.admin, req, 'room_dispose', { before: { roomId: id, name: room.name, clients: room.clients } });
    res.status(204).end();
  });

  r.post('/admin/rooms/:id/message', admin, async (req, res) => {
    const { id } = parse(opsSchemas.roomId, req.params, 'params');
    const { text } = parse(opsSchemas.message, bodyOf(req));
    await deps.roomsAdmin.message(id, text);
    await auditFrom(deps.admin, req, 'room_message', { after: { roomId: id, text } });
    res.status(204).end();
  });

  r.get('/admin/log-level', admin, (_req, res) => {
    res.json({ level: deps.logLevel.level });
  });

  r.put('/admin/log-level', admin, async (req, res) => {
    const { level } = parse(opsSchemas.logLevel, bodyOf(req));
    const before = deps.logLevel.level;
    await deps.logLevel.set(level);
    await auditFrom(deps.admin, req, 'log_level', { before: { level: before }, after: { level } });
    req.log.info({ module: 'ops', from: before, to: level }, 'log level changed');
    res.json({ level });
  });

  r.post('/admin/shutdown', admin, async (req, res) => {
    const { reason } = parse(opsSchemas.shutdown, bodyOf(req));
    await auditFrom(deps.admin, req, 'shutdown', { after: { reason: reason ?? null } });
    const log = req.log;
    res.on('finish', () => setImmediate(() => {
      try {
        deps.lifecycle.requestShutdown(`admin:${req.admin!.username}`);
      } catch (err) {
        log.error({ err, module: 'ops' }, 'shutdown request failed');
      }
    }));
    res.status(202).json({ status: 'stopping' });
  });

  return r;
}
