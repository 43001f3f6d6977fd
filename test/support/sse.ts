/**
 * A small SSE client over fetch for black-box tests: opens `GET /api/v1/push/stream` (or any URL),
 * parses `id:`, `event:`, `data:` and `:` comments as they arrive, keeps everything received, and
 * waits for an event with a timeout.
 *
 *   const s = await openSse(server, { token: alice.accessToken });
 *   const ev = await s.waitFor((e) => e.event === 'marquee', 5000);
 *   s.close();
 */
import type { TestServer } from './server.ts';

export interface SseEvent {
  /** The `id:` field of the event, when it had one. */
  id?: string;
  /** The `event:` field; `message` when absent (as in browsers). */
  event: string;
  /** The raw `data:` lines joined by `\n`. */
  data: string;
  /** `data` parsed as JSON, or undefined when it is not JSON. */
  json: any;
  /** Local receive time (Date.now()). */
  receivedAt: number;
}

export interface SseOptions {
  /** Sent as `Authorization: Bearer <token>` unless `tokenInQuery` is set. */
  token?: string;
  /** Send the token as `?access_token=` instead of the header. */
  tokenInQuery?: boolean;
  lastEventId?: string;
  headers?: Record<string, string>;
  /** Path under the server (default `/api/v1/push/stream`) or an absolute URL. */
  path?: string;
  /** How long to wait for the response headers (default 10 s). */
  connectTimeoutMs?: number;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** Non-2xx response body (parsed JSON when possible); undefined for an open stream. */
  body?: any;
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** Every comment line received so far (text after `:`, leading space removed). */
  comments: string[];
  /** The last `id:` seen (what a browser would send as Last-Event-ID on reconnect). */
  lastEventId?: string;
  /** True once the server ended the stream (or it failed). */
  readonly closed: boolean;
  /** Resolves when the stream ends. */
  ended: Promise<void>;
  /** First event (already received or future) matching the predicate; rejects after the timeout. */
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when `n` events matching the predicate have been received (all of them, in order). */
  waitForCount(predicate: (e: SseEvent) => boolean, n: number, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves when a comment matching (e.g. `ping`) arrives. */
  waitForComment(predicate: (c: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the stream; rejects after the timeout. */
  waitForClose(timeoutMs?: number): Promise<void>;
  /** Events of one type received so far. */
  ofType(event: string): SseEvent[];
  close(): void;
}

export async function openSse(server: TestServer | { url: string }, opts: SseOptions = {}): Promise<SseStream> {
  const base = opts.path && /^https?:/.test(opts.path) ? opts.path : `${server.url}${opts.path ?? '/api/v1/push/stream'}`;
  const url = new URL(base);
  const headers: Record<string, string> = { accept: 'text/event-stream', ...(opts.headers ?? {}) };
  if (opts.token) {
    if (opts.tokenInQuery) url.searchParams.set('access_token', opts.token);
    else headers.authorization = `Bearer ${opts.token}`;
  }
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;

  const controller = new AbortController();
  const connectTimer = setTimeout(() => controller.abort(new Error('SSE connect timeout')), opts.connectTimeoutMs ?? 10_000);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: controller.signal });
  } finally {
    clearTimeout(connectTimer);
  }

  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let closed = false;
  let endResolve!: () => void;
  const ended = new Promise<void>((r) => (endResolve = r));
  const finish = () => {
    if (closed) return;
    closed = true;
    endResolve();
    notify();
  };

  const stream: SseStream = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    get closed() {
      return closed;
    },
    ended,
    waitFor(predicate, timeoutMs = 5000) {
      return waitUntil(() => stream.events.find(predicate), timeoutMs, () => `SSE event not received within ${timeoutMs} ms; got ${describe(stream.events)}`);
    },
    waitForCount(predicate, n, timeoutMs = 5000) {
      return waitUntil(() => {
        const hits = stream.events.filter(predicate);
        return hits.length >= n ? hits : undefined;
      }, timeoutMs, () => `expected ${n} matching SSE events within ${timeoutMs} ms; got ${describe(stream.events)}`);
    },
    waitForComment(predicate, timeoutMs = 5000) {
      return waitUntil(() => stream.comments.find(predicate), timeoutMs, () => `SSE comment not received within ${timeoutMs} ms; got ${JSON.stringify(stream.comments)}`);
    },
    waitForClose(timeoutMs = 5000) {
      return waitUntil(() => (closed ? true : undefined), timeoutMs, () => `SSE stream still open after ${timeoutMs} ms`).then(() => undefined);
    },
    ofType(event) {
      return stream.events.filter((e) => e.event === event);
    },
    close() {
      controller.abort();
      finish();
    },
  };

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, message: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const v = check();
        if (v !== undefined) {
          cleanup();
          resolve(v);
          return true;
        }
        if (closed && !(check() !== undefined)) {
          // The stream ended; nothing more will arrive (waitForClose resolves through check()).
          cleanup();
          reject(new Error(`${message()} (stream closed)`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(message()));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const waiter = () => void attempt();
      if (attempt()) return;
      waiters.add(waiter);
    });
  }

  if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await res.text().catch(() => '');
    try {
      stream.body = text ? JSON.parse(text) : undefined;
    } catch {
      stream.body = text;
    }
    finish();
    return stream;
  }

  // Parse the stream in the background.
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let id: string | undefined;
    let event = '';
    let data: string[] = [];
    const dispatch = () => {
      if (!data.length) {
        event = '';
        return;
      }
      const text = data.join('\n');
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (id !== undefined) stream.lastEventId = id;
      stream.events.push({ id, event: event || 'message', data: text, json, receivedAt: Date.now() });
      id = undefined;
      event = '';
      data = [];
      notify();
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let nl: number;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
          if (line === '') {
            dispatch();
            continue;
          }
          if (line.startsWith(':')) {
            stream.comments.push(line.slice(1).replace(/^ /, ''));
            notify();
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') id = value;
          else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
    } catch {
      // aborted by close() or the connection failed
    } finally {
      finish();
    }
  })();

  return stream;
}

function describe(events: SseEvent[]): string {
  const tail = events.slice(-10).map((e) => `${e.event}#${e.id ?? ''}:${e.data.slice(0, 80)}`);
  return `${events.length} events [${tail.join(' | ')}]`;
}
