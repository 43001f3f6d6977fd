import { Router } from 'express';
import { openApiDocument, type RouteDoc } from '../platform/openapi.ts';
import { accountRouteDocs } from '../accounts/accounts.routes.ts';
import { identityRouteDocs } from '../accounts/identity.routes.ts';
import { playTimeRouteDocs } from '../accounts/play-time.routes.ts';
import { adminRouteDocs } from '../admin/admin.routes.ts';
import { lobbyRouteDocs } from '../lobby/lobby.routes.ts';
import { gameRouteDocs } from '../game/game.routes.ts';
import { mailRouteDocs } from '../mail/mail.routes.ts';
import { pushRouteDocs } from '../push/push.routes.ts';
import { downloadRouteDocs } from '../downloads/downloads.routes.ts';
import { logRouteDocs } from '../logs/logs.routes.ts';
import { analyticsRouteDocs } from '../analytics/analytics.routes.ts';
import { dbToolRouteDocs } from '../dbtool/dbtool.routes.ts';
import { opsRouteDocs } from './ops.routes.ts';

const openApiDocs: RouteDoc[] = [
  { method: 'get', path: '/openapi.json', auth: 'none', summary: 'This document.' },
];

/** Every routes file's RouteDoc list, in one place: the OpenAPI document is generated from it. */
export const allRouteDocs: RouteDoc[] = [
  ...accountRouteDocs,
  ...identityRouteDocs,
  ...playTimeRouteDocs,
  ...adminRouteDocs,
  ...lobbyRouteDocs,
  ...gameRouteDocs,
  ...mailRouteDocs,
  ...pushRouteDocs,
  ...downloadRouteDocs,
  ...logRouteDocs,
  ...analyticsRouteDocs,
  ...dbToolRouteDocs,
  ...opsRouteDocs,
  ...openApiDocs,
];

export function openApiRoutes(deps: { version: string; routes?: RouteDoc[] }): Router {
  const r = Router();
  let doc: Record<string, unknown> | undefined;
  r.get('/openapi.json', (_req, res) => {
    doc ??= openApiDocument(deps.routes ?? allRouteDocs, { title: 'Arena game backend', version: deps.version });
    res.json(doc);
  });
  return r;
}
