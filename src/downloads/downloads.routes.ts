import { z } from 'zod';
import { raw, route, type Request, type Response, type Route } from '../platform/http.ts';
import { etagMatches, parseRange, type DownloadService } from './downloads.service.ts';

const manifestSchema = z.object({
  version: z.string(),
  files: z.array(z.object({
    path: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    kind: z.enum(['engine', 'config-csv', 'config-json', 'config-sqlite']),
  })),
});

const CONTENT_TYPES: Record<string, string> = {
  'config-csv': 'text/csv; charset=utf-8',
  'config-json': 'application/json; charset=utf-8',
  'config-sqlite': 'application/vnd.sqlite3',
  engine: 'application/octet-stream',
};

/**
 * The internal nginx location that serves DOWNLOADS_DIR, as nginx announces it in X-Accel-Downloads
 * (it overwrites whatever a client sent). A client talking to the server directly may send it too:
 * it then gets an empty answer naming a file it could have downloaded anyway.
 */
function accelLocation(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && /^\/[\w/-]*\/$/.test(header) ? header : undefined;
}

async function sendManifest(downloads: DownloadService, req: Request, res: Response): Promise<void> {
  const manifest = await downloads.manifest();
  const etag = `"${manifest.version}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'no-cache');
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.json(manifest);
}

async function sendFile(downloads: DownloadService, req: Request, res: Response): Promise<void> {
  const encoded = req.path.slice('/downloads/files/'.length);
  const file = await downloads.file(encoded);
  res.setHeader('ETag', file.etag);
  res.setHeader('Last-Modified', file.mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Type', CONTENT_TYPES[file.kind]!);
  if (etagMatches(req.headers['if-none-match'], file.etag)) {
    res.status(304).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const rangeAllowed = ifRange === undefined || ifRange === file.etag;
  const range = rangeAllowed ? parseRange(req.headers.range, file.size) : undefined;
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${file.size}`);
    res.setHeader('Content-Type', 'application/json');
    res.status(416).json({ error: { code: 'INVALID_INPUT', message: `range: starts past the end of the file (${file.size} bytes)` } });
    return;
  }
  const accel = accelLocation(req.headers['x-accel-downloads']);
  if (accel) {
    // Behind nginx (config/nginx.conf): every check is done, nginx sends the bytes and the range
    // (and its own Accept-Ranges: this one would be copied beside it).
    res.removeHeader('Accept-Ranges');
    res.setHeader('X-Accel-Redirect', accel + file.path.split('/').map(encodeURIComponent).join('/'));
    res.end();
    return;
  }
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(file.size));
  }
  if (req.method === 'HEAD' || (range ? range.end < range.start : file.size === 0)) {
    res.end();
    return;
  }
  const stream = file.open(range);
  stream.on('error', (err) => {
    req.log.warn({ err, module: 'downloads', path: file.path }, 'download stream failed');
    res.destroy(err);
  });
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

type Deps = { downloads: DownloadService };
const entry = route<Deps>();

/** Both answers are written by hand: ETag and 304, ranges, X-Accel-Redirect, streamed bytes. */
export const downloadRoutes: Route<Deps>[] = [
  entry({
    method: 'get', path: '/downloads/manifest', auth: 'none', response: manifestSchema,
    summary: 'Manifest of the downloadable files. kind: .csv config-csv, .json config-json, .sqlite/.sqlite3/.db config-sqlite, anything else engine. '
      + 'version changes whenever any file does; the response carries ETag = "version" and answers If-None-Match with 304.',
    handle: ({ downloads }) => raw((req, res) => sendManifest(downloads, req, res)),
  }),
  entry({
    // A RegExp route: req.path stays percent-encoded, so the service decodes it exactly once.
    method: 'get', path: '/downloads/files/:path*', match: /^\/downloads\/files\/(.+)$/, auth: 'none', produces: 'application/octet-stream', errors: ['NOT_FOUND'],
    summary: 'File bytes with a strong ETag (the quoted sha256) and Accept-Ranges: bytes. If-None-Match -> 304; one `Range: bytes=a-b` -> 206 '
      + '(If-Range honoured); a range starting past the end -> 416 with Content-Range: bytes */size; several ranges -> the whole file. '
      + 'Paths with "..", ".", empty segments, dot-files, backslashes, NUL or absolute paths -> 400 INVALID_INPUT; anything not inside the directory -> 404.',
    handle: ({ downloads }) => raw((req, res) => sendFile(downloads, req, res)),
  }),
];
