import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A lean HTTP load loop for benchmarks: keep-alive connections on bare sockets (fetch costs several
 * times more client CPU per request than node:http, node:http several times more than this, and the
 * client shares the machine with the server).
 */
export interface LoadResult {
  ok: number;
  failed: number;
  ratePerS: number;
  /** Successful requests per second over the whole run (the last answers after the deadline included). */
  okPerS: number;
  latenciesMs: number[];
  statuses: Record<number, number>;
}

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One keep-alive HTTP/1.1 connection on a bare socket: the request written as one string, the
 * response read by its Content-Length. About a third of node:http's client CPU per request, which
 * matters when the load generator shares two cores with the server and the database.
 */
class RawConnection {
  private readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private readonly base: URL;
  private pending?: { resolve: (r: { status: number; body: string }) => void; reject: (e: Error) => void };

  constructor(base: URL) {
    this.base = base;
    this.socket = net.connect({ host: base.hostname, port: Number(base.port), noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.parse();
    });
    const fail = (err: Error) => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  send(req: LoadRequest): Promise<{ status: number; body: string }> {
    const body = req.body ?? '';
    let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${this.base.host}\r\nConnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(req.headers ?? {})) head += `${k}: ${v}\r\n`;
    if (body) head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    else if (req.method !== 'GET' && req.method !== 'HEAD') head += 'Content-Length: 0\r\n';
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(`${head}\r\n${body}`);
    });
  }

  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.pending) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m && /\r\ntransfer-encoding:/i.test(head)) {
      this.pending.reject(new Error('chunked responses are not supported by the bench client'));
      this.pending = undefined;
      return;
    }
    const length = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + length) return;
    const body = this.buf.toString('utf8', end + 4, end + 4 + length);
    this.buf = this.buf.subarray(end + 4 + length);
    const p = this.pending;
    this.pending = undefined;
    p.resolve({ status, body });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * `workers` concurrent loops, one keep-alive connection each, until `durationMs` passes or `next`
 * returns null; each loop takes the request to send from `next(worker)`. 2xx counts as ok.
 */
export async function runLoad(baseUrl: string, opts: { workers: number; durationMs: number; next: (worker: number) => LoadRequest | null }): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const latenciesMs: number[] = [];
  const statuses: Record<number, number> = {};
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + opts.durationMs;
  await Promise.all(Array.from({ length: opts.workers }, async (_, w) => {
    let conn = new RawConnection(base);
    while (performance.now() < end) {
      const req = opts.next(w);
      if (!req) break;
      const t0 = performance.now();
      try {
        const res = await conn.send(req);
        latenciesMs.push(performance.now() - t0);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) ok++;
        else failed++;
      } catch {
        failed++;
        conn.close();
        conn = new RawConnection(base);
      }
    }
    conn.close();
  }));
  const elapsed = (performance.now() - started) / 1000;
  return { ok, failed, ratePerS: (ok + failed) / elapsed, okPerS: ok / elapsed, latenciesMs, statuses };
}
