import { z } from 'zod';

import { UNIVERSAL_ERRORS, type RouteInfo } from './http.ts';

/**
 * The OpenAPI document (served at /api/v1/openapi.json), generated from the routes tables: the
 * same entries, zod schemas included, that the routes are mounted from. Paths are relative to
 * /api/v1, in Express style (`:id`).
 */

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  } catch {
    return {};
  }
}

export function openApiDocument(routes: readonly RouteInfo[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)\*?/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? Object.entries((jsonSchema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] }).properties ?? {})
      .map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
    const status = String(r.status ?? 200);
    const success = r.produces
      ? { description: 'success', content: { [r.produces]: {} } }
      : r.response
        ? { description: 'success', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
        : { description: 'success' };
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...params, ...query],
      responses: {
        [status]: success,
        '4XX': { description: `error: ${[...UNIVERSAL_ERRORS[r.auth], ...(r.errors ?? [])].join(', ')}`, content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } } },
      },
      ...(r.auth !== 'none' ? { security: [{ [r.auth === 'admin' ? 'adminToken' : 'accessToken']: [] }] } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
    };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/api/v1' }],
    paths,
    components: {
      securitySchemes: {
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        adminToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
