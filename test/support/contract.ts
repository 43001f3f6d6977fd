import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { ERROR_STATUS } from '../../src/platform/errors.ts';
import { UNIVERSAL_ERRORS, type RouteAuth, type RouteInfo } from '../../src/platform/http.ts';
import type { TestServer } from './server.ts';
import { registerUser } from './users.ts';
import { startAccountsServer } from '../accounts/helpers.ts';

/**
 * The error contract under random input (API.md "Conventions"), shared by the property tests: what
 * every 4xx must look like, and generators of bodies, field values, tokens and content types.
 */

const CONTRACT_CODES = new Set(Object.keys(ERROR_STATUS));

export function assertContract(route: string, res: { status: number; body: any; text: string }): void {
  assert.ok(res.status < 500, `${route} answered ${res.status}: ${res.text}`);
  if (res.status < 400) return;
  const body = res.body;
  assert.ok(body && typeof body === 'object', `${route}: ${res.status} body is not JSON: ${res.text}`);
  assert.deepEqual(Object.keys(body), ['error'], `${route}: ${res.text}`);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], `${route}: ${res.text}`);
  assert.ok(CONTRACT_CODES.has(body.error.code), `${route}: code ${body.error.code} is not in the contract`);
  assert.equal(ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS], res.status, `${route}: ${res.text}`);
  assert.equal(typeof body.error.message, 'string');
  if (res.status === 400) assert.match(body.error.message, /^[^\s:]+: \S/, `${route}: a 400 must name the field: ${res.text}`);
}

/** Values that look like what a field wants, and values that do not. */
export const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('13900001111', '+8613900001111', '123456', '000000', 'register', 'reset', 'bind', 'wechat', 'password-123', 'x'.repeat(80), '\u0000', '2030-01-01T00:00:00Z', true, false, null),
  fc.string({ maxLength: 40 }),
);

export function bodyArb(fields: string[]) {
  const known = fields.length
    ? fc.dictionary(fc.constantFrom(...fields), fieldValue, { maxKeys: fields.length })
    : fc.constant({});
  return fc.oneof(
    known.map((v) => ({ json: v as unknown })),
    fc.jsonValue().map((v) => ({ json: v as unknown })),
    fc.string({ maxLength: 60 }).map((raw) => ({ raw })),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ raw: Buffer.from(bytes) })),
    fc.constant({}),
  );
}

export const headerSafe = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());
export const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=utf-8',
  'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'garbage/###');

type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema; items?: JsonSchema; minItems?: number; maxItems?: number; anyOf?: JsonSchema[]; oneOf?: JsonSchema[];
  enum?: unknown[]; const?: unknown; minLength?: number; maxLength?: number; pattern?: string; format?: string;
  minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number;
};

/** Strings a field accepts, with its limits reached in ASCII, accented and astral characters. */
function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 200;
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    const fits = (v: string) => re.test(v) && v.length >= min && v.length <= max;
    let matching: fc.Arbitrary<string>;
    try {
      matching = fc.stringMatching(re).filter(fits);
    } catch {
      matching = fc.string({ minLength: min, maxLength: Math.min(max, 40), unit: 'grapheme' }).filter(fits);
    }
    const edges = ['x'.repeat(max), 'é'.repeat(max), '😀'.repeat(Math.floor(max / 2)), '9'.repeat(max), 'A'.repeat(max)].filter(fits);
    return edges.length ? fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : matching;
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 40), unit: fc.constantFrom('grapheme', 'binary') as never }) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'é'.repeat(max), '😀'.repeat(Math.floor(max / 2)), `a\u0000b`.slice(0, Math.max(min, Math.min(3, max)))).filter((v) => v.length >= min && v.length <= max) },
  );
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : s.minimum;
  const max = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : s.maximum;
  const lo = Math.max(min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const edges = fc.constantFrom(lo, hi, ...[0, 1, -1].filter((v) => v >= lo && v <= hi));
  return fc.oneof(integer ? fc.integer({ min: lo, max: hi }) : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), edges);
}

/**
 * Values valid for a JSON schema (the input side of a route's zod schema): what a well-behaved
 * client sends, with every limit reached, so that the service and the database behind validation
 * see the extremes validation lets through.
 */
export function validFor(s: JsonSchema | boolean | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (s === undefined || s === true || s === false || depth > 5) return fieldValue;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => validFor(a, depth + 1)));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => validFor({ ...s, type: t }, depth + 1)));
  switch (s.type) {
    case 'string': return stringArb(s);
    case 'integer': return numberArb(s, true);
    case 'number': return numberArb(s, false);
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return fc.array(validFor(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 5) });
    case 'object': {
      if (s.properties) {
        const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, validFor(v, depth + 1)]));
        return fc.record(props, { requiredKeys: (s.required ?? []) as never[] });
      }
      const keys = typeof s.propertyNames === 'object' ? (validFor(s.propertyNames, depth + 1) as fc.Arbitrary<string>) : fc.string({ maxLength: 12 });
      return fc.dictionary(keys, validFor(typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, depth + 1), { maxKeys: 3 });
    }
    default: return fieldValue;
  }
}

// ---- shared by the HTTP property tests ------------------------------------------------------

/** Runs per property (FC_RUNS, default 40). */
export const FC_RUNS = Number(process.env.FC_RUNS ?? 40);

/** Values valid for a zod schema (its input side). */
export function validForZod(schema: z.ZodType): fc.Arbitrary<unknown> {
  return validFor(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

export type Auth = RouteAuth;
/** A token choice: the fixture's user or admin token by name, or a literal (random, placeholder, none). */
export type TokenChoice = 'USER' | 'ADMIN' | string | undefined;

/** No token, the placeholder, junk, the wrong kind, and (weighted) the kind the route needs. */
export function tokenArb(auth: Auth, rightKindWeight = 1): fc.Arbitrary<TokenChoice> {
  const right: TokenChoice = auth === 'admin' ? 'ADMIN' : auth === 'player' ? 'USER' : undefined;
  return fc.oneof(
    // The right kind, so that validation behind the auth check is reached too.
    { weight: rightKindWeight, arbitrary: fc.constant(right) },
    fc.constant(undefined),
    fc.constant('000000'),
    headerSafe,
    fc.constant(auth === 'admin' ? 'USER' : 'ADMIN'),
  );
}

export interface ContractFixture {
  server: TestServer;
  userId: string;
  userToken: string;
  adminToken: string;
}

/** A server with raised per-IP limits, one registered user and an admin token. */
export async function startContractFixture(): Promise<ContractFixture> {
  const server = await startAccountsServer();
  const user = await registerUser(server);
  const admin = await server.api('POST', 'admin/login', { username: 'admin', password: 'dev-admin-password' });
  return { server, userId: user.id, userToken: user.accessToken, adminToken: admin.body.token };
}

/** The codes a route may answer: the ones its table entry declares and the universal ones of its auth. */
export function declaredCodes(route: RouteInfo): Set<string> {
  return new Set([...UNIVERSAL_ERRORS[route.auth], ...(route.errors ?? [])]);
}

/**
 * Sends one generated request and checks the error contract on its answer (and, given the route's
 * table entry, that the code is one the entry declares); returns the status.
 */
export async function sendChecked(f: ContractFixture, req: { method: string; path: string; body: unknown; token: TokenChoice; contentType?: string; route?: RouteInfo }): Promise<number> {
  const headers: Record<string, string> = {};
  if (req.contentType) headers['content-type'] = req.contentType;
  const bearer = req.token === 'ADMIN' ? f.adminToken : req.token === 'USER' ? f.userToken : req.token;
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  const method = req.method.toUpperCase();
  const b = req.body as { json?: unknown; raw?: string | Buffer };
  const raw = method === 'GET' ? undefined : b.raw !== undefined ? b.raw : 'json' in b ? JSON.stringify(b.json) : undefined;
  const res = await f.server.api(method, req.path, undefined, { headers, raw });
  assertContract(`${method} ${req.path}`, res);
  if (req.route && res.status >= 400) {
    assert.ok(declaredCodes(req.route).has(res.body.error.code), `${method} ${req.path}: ${res.body.error.code} is not declared by ${req.route.method} ${req.route.path}: ${res.text}`);
  }
  return res.status;
}
