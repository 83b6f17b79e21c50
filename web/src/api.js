// The one way to talk to jiesu: JSON in and out, the session cookie sent by the
// browser, the CSRF token (kept in memory only) on every state-changing request,
// and the server's error body turned into an Error with code, message and field.

let csrf = null;
let onUnauthenticated = null;

export function setCsrf(token) { csrf = token || null; }
export function onAuthLost(fn) { onUnauthenticated = fn; }

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_' + status;
    this.field = field || null;
  }
}

export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试', null);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code, e.message || `服务器返回 ${res.status}`, e.field);
    if (res.status === 401 && !opts.noAuthRedirect && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  return data;
}

export const api = {
  get: (path, params, opts) => request('GET', path + qs(params), undefined, opts),
  post: (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts),
  put: (path, body) => request('PUT', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};

// The server's clock: deadlines are counted down from it, not from the
// computer's own (which may be wrong, and is fixed by JIESU_NOW in tests).
// The offset is taken from /me's server_time, against the middle of the request.
let clockOffset = 0;
export function setServerTime(iso, at = Date.now()) {
  const t = Date.parse(iso || '');
  if (!isNaN(t)) clockOffset = t - at;
}
export const serverNow = () => Date.now() + clockOffset;

// Who is signed in (with the CSRF token and the server's clock); 401 when nobody.
export async function fetchMe() {
  const t0 = Date.now();
  const me = await api.get('/me', null, { noAuthRedirect: true });
  setServerTime(me.server_time, (t0 + Date.now()) / 2);
  return me;
}

// Plain links (CSV/Excel downloads): the cookie authenticates a GET.
export function url(path, params) { return '/api/v1' + path + qs(params); }

// Units by code, fetched once each (event payloads and search results carry codes only).
// A unit the page was given without its parent is kept for its name only.
const unitCache = new Map(); // code → { p: Promise of {code, name, kind, parent}, full }
function fetchUnit(code) {
  const e = { p: api.get('/units/' + encodeURIComponent(code), null, { noAuthRedirect: true }), full: true };
  unitCache.set(code, e);
  e.p.catch(() => { if (unitCache.get(code) === e) unitCache.delete(code); });
  return e.p;
}
export function unitRecord(code) {
  const e = unitCache.get(code);
  return e && e.full ? e.p : fetchUnit(code);
}
export function unitName(code) {
  if (!code) return Promise.resolve('');
  const e = unitCache.get(code);
  return (e ? e.p : fetchUnit(code)).then((u) => u.name, () => code);
}
// A unit the page already has (from a list, a case, /me): no need to ask for it.
export function rememberUnit(u) {
  if (!u || !u.code || !u.name) return;
  const full = 'parent' in u;
  const e = unitCache.get(u.code);
  if (!e || (full && !e.full)) unitCache.set(u.code, { p: Promise.resolve(u), full });
}
// The units above one, from its district down (the centre left out):
// 四季园社区 → [石景山区, 八宝山街道].
export async function unitAncestors(u) {
  const out = [];
  for (let code = u.kind === 'district' ? null : u.parent, i = 0; code && i < 4; i++) {
    const up = await unitRecord(code);
    if (up.kind === 'centre') break;
    out.unshift(up);
    code = up.kind === 'district' ? null : up.parent; // a district's parent is the centre
  }
  return out;
}
