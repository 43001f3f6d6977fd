import { route, type Route, type RouteInfo } from '../platform/http.ts';
import { openApiDocument } from '../platform/openapi.ts';
import { accountRoutes } from '../accounts/accounts.routes.ts';
import { identityRoutes } from '../accounts/identity.routes.ts';
import { playTimeRoutes } from '../accounts/play-time.routes.ts';
import { adminRoutes } from '../admin/admin.routes.ts';
import { adminUserRoutes } from '../admin/admin-users.routes.ts';
import { lobbyRoutes } from '../lobby/lobby.routes.ts';
import { gameRoutes } from '../game/game.routes.ts';
import { mailRoutes } from '../mail/mail.routes.ts';
import { pushRoutes } from '../push/push.routes.ts';
import { downloadRoutes } from '../downloads/downloads.routes.ts';
import { logRoutes } from '../logs/logs.routes.ts';
import { analyticsRoutes } from '../analytics/analytics.routes.ts';
import { dbToolRoutes } from '../dbtool/dbtool.routes.ts';
import { opsRoutes } from './ops.routes.ts';

type Deps = { version: string };
let doc: Record<string, unknown> | undefined;

export const openApiRoutes: Route<Deps>[] = [
  route<Deps>()({
    method: 'get', path: '/openapi.json', auth: 'none', summary: 'This document.',
    handle: ({ version }) => (doc ??= openApiDocument(allRoutes, { title: 'Arena game backend', version })),
  }),
];

/** Every routes table of /api/v1, in one place: the OpenAPI document is generated from it. */
export const allRoutes: RouteInfo[] = [
  ...accountRoutes,
  ...identityRoutes,
  ...playTimeRoutes,
  ...adminRoutes,
  ...adminUserRoutes,
  ...lobbyRoutes,
  ...gameRoutes,
  ...mailRoutes,
  ...pushRoutes,
  ...downloadRoutes,
  ...logRoutes,
  ...analyticsRoutes,
  ...dbToolRoutes,
  ...opsRoutes,
  ...openApiRoutes,
];
