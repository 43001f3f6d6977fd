/**
 * The JSON API as the pages call it: `/api/v1` on this origin, the error contract
 * `{error: {code, message}}` read into an ApiError whose text is what the page shows.
 */
export class ApiError extends Error {
  constructor(status, code, message, retryAfterS) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }

  /** The field a validation error names ("title: must not be empty" → "title"). */
  get field() {
    const m = /^([\w.]+): /.exec(this.message);
    return this.code === 'INVALID_INPUT' && m ? m[1] : undefined;
  }
}

/** The words a page shows for any error: the API's own sentence, and when to retry. */
export function describeError(err) {
  if (!err) return '';
  if (err instanceof ApiError) {
    const retry = err.retryAfterS ? ` Try again in ${err.retryAfterS} s.` : '';
    return `${err.message}${retry} (${err.code})`;
  }
  return String(err.message ?? err);
}

function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** `request('POST', '/mail', {body, token})` → parsed JSON (null for 204); throws ApiError. */
export async function request(method, path, { body, token, query } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}${queryString(query)}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the status line says enough
  }
  if (!res.ok) {
    const e = data?.error;
    const retry = Number(res.headers.get('retry-after')) || undefined;
    if (e && typeof e === 'object') throw new ApiError(res.status, e.code, e.message, retry);
    throw new ApiError(res.status, `HTTP_${res.status}`, typeof e === 'string' ? e : `${res.status} ${res.statusText}`, retry);
  }
  return data;
}
