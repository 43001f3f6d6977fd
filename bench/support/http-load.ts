import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A lean HTTP load loop for benchmarks: keep-alive sockets through node:http (fetch costs several
 * times more client CPU per request, and the client shares the machine with the server).
 */
export interface LoadResult {
  ok: number;
  failed: number;
  ratePerS: number;
  latenciesMs: number[];
  statuses: Record<number, number>;
}

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function request(agent: http.Agent, base: URL, req: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({
      agent, host: base.hostname, port: base.port, method: req.method, path: req.path,
      headers: { ...(req.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(req.body) } : {}), ...req.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * `workers` concurrent loops until `durationMs` passes or `next` returns null; each loop takes the
 * request to send from `next(worker)`. 2xx counts as ok.
 */
export async function runLoad(baseUrl: string, opts: { workers: number; durationMs: number; next: (worker: number) => LoadRequest | null }): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.workers });
  const latenciesMs: number[] = [];
  const statuses: Record<number, number> = {};
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + opts.durationMs;
  await Promise.all(Array.from({ length: opts.workers }, async (_, w) => {
    while (performance.now() < end) {
      const req = opts.next(w);
      if (!req) break;
      const t0 = performance.now();
      try {
        const res = await request(agent, base, req);
        latenciesMs.push(performance.now() - t0);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { ok, failed, ratePerS: (ok + failed) / elapsed, latenciesMs, statuses };
}
