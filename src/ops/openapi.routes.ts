import { Router } from 'express';
import { z } from 'zod';
import { openApiDocument, type RouteDoc } from '../platform/openapi.ts';
import { accountRouteDocs } from '../accounts/accounts.routes.ts';
import { adminSchemas } from '../admin/admin.routes.ts';
import { downloadRouteDocs } from '../downloads/downloads.routes.ts';
import { logRouteDocs } from '../logs/logs.routes.ts';
import { analyticsRouteDocs } from '../analytics/analytics.routes.ts';
import { dbToolRouteDocs } from '../dbtool/dbtool.routes.ts';
import { opsRouteDocs } from './ops.routes.ts';

/** admin.routes.ts has no docs list of its own yet: its one route is described here. */
const adminLoginDocs: RouteDoc[] = [
  { method: 'post', path: '/admin/login', auth: 'none', body: adminSchemas.login, response: z.object({ token: z.string(), expiresIn: z.number() }), errors: ['BAD_CREDENTIALS'], summary: 'Admin token (Bearer for every /admin call).' },
];

const openApiDocs: RouteDoc[] = [
  { method: 'get', path: '/openapi.json', auth: 'none', summary: 'This document.' },
];

/** Every routes file's RouteDoc list, in one place: the OpenAPI document is generated from it. */
export const allRouteDocs: RouteDoc[] = [
  ...accountRouteDocs,
  ...adminLoginDocs,
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
