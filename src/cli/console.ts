/**
 * The operator console (S10): `npm run console -- <command>`. Every command but `migrate` talks to a
 * running server through the admin API, so it works the same against one process or any process of
 * a cluster; `migrate` opens the database directly.
 */
import { parseArgs } from 'node:util';
import { runMigrateCommand } from './migrate.ts';

const USAGE = `usage: npm run console -- [--url URL] [--json] <command>

commands:
  status                              what the server is doing (address, uptime, database, connections, rooms) and every live process
  stop [reason]                       graceful shutdown of the process at URL (clients told, exit 0)
  log-level [level]                   show, or set on every process (fatal error warn info debug trace silent)
  admin password                      change the password of ADMIN_USER: the new one from NEW_ADMIN_PASSWORD,
                                      else the first line of standard input; its other tokens are revoked
  user ban <userId> [reason] [--until ISO-8601]
  user unban <userId>
  user whitelist <userId> [on|off]    who may log in during maintenance
  user identity-clear <userId>        remove a player's real-name identity (the ID number may be bound again)
  holidays list                       holidays of the play windows (PLAY_WINDOWS \`holiday\`)
  holidays set <YYYY-MM-DD> ...       replace them with these dates
  holidays clear                      remove them all
  identity rekey                      after rotating IDENTITY_KEY: re-seal identities of IDENTITY_KEY_PREVIOUS
  db list                             entities and their fields
  db get <Entity> [id | field:value ...] [--page N] [--page-size N]
  db set <Entity> <id> field=value ...   values are JSON when they parse (42, true, null, "x"), else strings
  migrate                             apply pending migrations to DATABASE_URL (no server needed)

options:
  --url URL        server to talk to (default ARENA_URL, else http://127.0.0.1:$PORT, PORT defaulting to 2567)
  --json           print the raw JSON answers
  -h, --help       this text

credentials: ADMIN_USER (default admin) and ADMIN_PASSWORD from the environment.
exit codes: 0 ok, 1 the server refused the request, 2 usage, 3 server unreachable, 4 credentials refused.`;

class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface Ctx {
  url: string;
  json: boolean;
  token?: string;
}

async function request(ctx: Ctx, method: string, path: string, body?: unknown, token = ctx.token): Promise<any> {
  let res: Response;
  try {
    res = await fetch(`${ctx.url}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`cannot reach the server at ${ctx.url} (${cause?.code ?? cause?.message ?? (err as Error).message}); is it running? set --url or ARENA_URL`, 3);
  }
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new CliError(`${ctx.url} answered ${res.status} with something that is not the arena API (wrong --url?)`, 3);
  }
  if (!res.ok) {
    const code = parsed?.error?.code ?? `HTTP_${res.status}`;
    throw new CliError(`${method} ${path}: ${code}: ${parsed?.error?.message ?? res.statusText}`, 1);
  }
  return parsed;
}

async function authenticate(ctx: Ctx): Promise<void> {
  const username = process.env.ADMIN_USER || 'admin';
  const password = process.env.ADMIN_PASSWORD || 'dev-admin-password';
  try {
    const res = await request(ctx, 'POST', '/admin/login', { username, password }, undefined);
    ctx.token = res.token;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === 1) {
      throw new CliError(`admin credentials refused by ${ctx.url} (${err.message.replace(/^POST \/admin\/login: /, '')}); set ADMIN_USER and ADMIN_PASSWORD`, 4);
    }
    throw err;
  }
}

function print(ctx: Ctx, value: unknown, human: () => string): void {
  console.log(ctx.json ? JSON.stringify(value, null, 2) : human());
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function table(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.length > 40 ? `${s.slice(0, 39)}…` : s;
  };
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      until: { type: 'string' },
      page: { type: 'string' },
      'page-size': { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new CliError(`a command is required\n\n${USAGE}`, 2);
  if (command === 'migrate') return runMigrateCommand();

  const url = (values.url ?? process.env.ARENA_URL ?? `http://127.0.0.1:${process.env.PORT || 2567}`).replace(/\/+$/, '');
  const ctx: Ctx = { url, json: values.json ?? false };
  const usage = (what: string) => new CliError(`${what}\n\n${USAGE}`, 2);

  switch (command) {
    case 'status': {
      await authenticate(ctx);
      const s = await request(ctx, 'GET', '/admin/status');
      const cluster = await request(ctx, 'GET', '/admin/servers');
      print(ctx, { ...s, servers: cluster.servers }, () => [
        `server      ${s.address} (pid ${s.pid}), up ${s.uptimeS}s since ${s.startedAt}${s.shuttingDown ? ', SHUTTING DOWN' : ''}`,
        `database    ${s.database.dialect}, ${s.database.reachable ? 'reachable' : 'UNREACHABLE'}`,
        ...(s.redis ? [`redis       ${s.redis.reachable ? 'reachable' : 'UNREACHABLE'}`] : []),
        `log level   ${s.logLevel}`,
        `connections ${s.connections.total} (ws ${s.connections.ws}, sse ${s.connections.sse})`,
        `rooms       ${s.rooms} here with ${s.roomClients} clients`,
        ...(s.pushQueueDepth !== undefined ? [`push queue  ${s.pushQueueDepth}`] : []),
        `cluster     ${cluster.totals.processes} process(es), CCU ${cluster.totals.ccu}, ${cluster.totals.rooms} game rooms, ${cluster.totals.sse} SSE streams`,
        ...cluster.servers.map((p: { address: string; pid: number; host: string; ccu: number; rooms: number; sse: number; pushQueue: number; heartbeatAt: string }) =>
          `  ${p.address.padEnd(22)} pid ${String(p.pid).padEnd(7)} on ${p.host}: CCU ${p.ccu}, rooms ${p.rooms}, SSE ${p.sse}, queue ${p.pushQueue}`),
      ].join('\n'));
      return 0;
    }
    case 'stop': {
      await authenticate(ctx);
      const reason = args.join(' ') || 'console stop';
      const res = await request(ctx, 'POST', '/admin/shutdown', { reason });
      print(ctx, res, () => `${url} is stopping gracefully (${reason})`);
      return 0;
    }
    case 'log-level': {
      await authenticate(ctx);
      const res = args[0]
        ? await request(ctx, 'PUT', '/admin/log-level', { level: args[0] })
        : await request(ctx, 'GET', '/admin/log-level');
      print(ctx, res, () => `log level: ${res.level}`);
      return 0;
    }
    case 'admin': {
      if (args[0] !== 'password' || args.length > 1) throw usage('admin takes one action: password');
      // Never from the command line: arguments are visible to every user of the machine (ps).
      const newPassword = process.env.NEW_ADMIN_PASSWORD || await firstLineOfStdin();
      if (!newPassword) throw usage('admin password reads the new password from NEW_ADMIN_PASSWORD or standard input');
      await authenticate(ctx);
      await request(ctx, 'POST', '/admin/password', { oldPassword: process.env.ADMIN_PASSWORD || 'dev-admin-password', newPassword });
      print(ctx, { changed: true }, () => `password of ${process.env.ADMIN_USER || 'admin'} changed; its other tokens are revoked (set ADMIN_PASSWORD to the new one)`);
      return 0;
    }
    case 'user': {
      const [action, id, ...rest] = args;
      if (!action || !id) throw usage('user needs an action and a user id');
      await authenticate(ctx);
      const path = `/admin/users/${encodeURIComponent(id)}`;
      let res: unknown;
      if (action === 'ban') {
        const reason = rest.join(' ') || 'banned from the console';
        res = await request(ctx, 'POST', `${path}/ban`, { reason, ...(values.until ? { until: values.until } : {}) });
        print(ctx, res ?? {}, () => `user ${id} banned: ${reason}${values.until ? ` until ${values.until}` : ''}`);
      } else if (action === 'unban') {
        res = await request(ctx, 'DELETE', `${path}/ban`);
        print(ctx, res ?? {}, () => `user ${id} unbanned`);
      } else if (action === 'whitelist') {
        const off = rest[0] === 'off';
        if (rest[0] && rest[0] !== 'on' && !off) throw usage('user whitelist takes on or off');
        res = await request(ctx, off ? 'DELETE' : 'PUT', `${path}/whitelist`);
        print(ctx, res ?? {}, () => `user ${id} ${off ? 'removed from' : 'added to'} the whitelist`);
      } else if (action === 'identity-clear') {
        const cleared = await request(ctx, 'DELETE', `${path}/identity`);
        print(ctx, cleared, () => (cleared.cleared ? `user ${id}: identity cleared` : `user ${id} had no identity`));
      } else {
        throw usage(`unknown user action ${action}`);
      }
      return 0;
    }
    case 'holidays': {
      const [action, ...dates] = args;
      if (action === 'set' && !dates.length) throw usage('holidays set needs at least one date (holidays clear removes them all)');
      if (action !== 'list' && action !== 'set' && action !== 'clear') throw usage(`unknown holidays action ${action ?? ''}`.trim());
      await authenticate(ctx);
      const res = action === 'list'
        ? await request(ctx, 'GET', '/admin/holidays')
        : await request(ctx, 'PUT', '/admin/holidays', { dates: action === 'set' ? dates : [] });
      print(ctx, res, () => (res.dates.length ? `holidays: ${res.dates.join(' ')}` : 'holidays: none'));
      return 0;
    }
    case 'identity': {
      if (args[0] !== 'rekey') throw usage(`unknown identity action ${args[0] ?? ''}`.trim());
      await authenticate(ctx);
      const res = await request(ctx, 'POST', '/admin/identity/rekey');
      print(ctx, res, () => `identities re-sealed with key ${res.keyId}: ${res.rekeyed} of ${res.total}${res.unreadable ? `; ${res.unreadable} sealed with a key not configured (left as they are)` : ''}`);
      return 0;
    }
    case 'db': {
      const [action, entity, ...rest] = args;
      await authenticate(ctx);
      if (action === 'list') {
        const res = await request(ctx, 'GET', '/admin/db');
        print(ctx, res, () => res.entities.map((e: any) => `${e.name} (${e.table})${e.readOnly ? ' [read-only]' : ''}: ${e.fields.map((f: any) => `${f.name}:${f.type}${f.hidden ? ' hidden' : f.readOnly ? ' ro' : ''}`).join(', ')}`).join('\n'));
        return 0;
      }
      if (action === 'get') {
        if (!entity) throw usage('db get needs an entity name (see db list)');
        if (rest.length === 1 && !rest[0]!.includes(':')) {
          const res = await request(ctx, 'GET', `/admin/db/${encodeURIComponent(entity)}/${encodeURIComponent(rest[0]!)}`);
          print(ctx, res, () => Object.entries(res.row).map(([k, v]) => `${k.padEnd(24)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join('\n'));
          return 0;
        }
        const q = new URLSearchParams();
        for (const f of rest) q.append('filter', f);
        if (values.page) q.set('page', values.page);
        if (values['page-size']) q.set('pageSize', values['page-size']);
        const res = await request(ctx, 'GET', `/admin/db/${encodeURIComponent(entity)}?${q}`);
        print(ctx, res, () => `${table(res.rows)}\n(${res.rows.length} of ${res.total}, page ${res.page})`);
        return 0;
      }
      if (action === 'set') {
        const [id, ...assignments] = rest;
        if (!entity || !id || !assignments.length) throw usage('db set needs an entity, an id and field=value pairs');
        const body: Record<string, unknown> = {};
        for (const a of assignments) {
          const eq = a.indexOf('=');
          if (eq <= 0) throw usage(`not a field=value pair: ${a}`);
          body[a.slice(0, eq)] = parseValue(a.slice(eq + 1));
        }
        const res = await request(ctx, 'PATCH', `/admin/db/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`, body);
        print(ctx, res, () => `${entity} ${id} updated: ${Object.keys(body).map((k) => `${k}=${JSON.stringify(res.row[k])}`).join(', ')}`);
        return 0;
      }
      throw usage(`unknown db action ${action ?? ''}`.trim());
    }
    default:
      throw usage(`unknown command ${command}`);
  }
}

async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('new admin password: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0]!;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`arena: ${err.message}`);
      return err.exitCode;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`arena: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`arena: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main();
}
