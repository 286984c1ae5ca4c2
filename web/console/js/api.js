// The API client. The session is an HttpOnly cookie set by POST
// /api/v1/session, so requests carry no token and script cannot read it.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthenticated = () => {};

// whenSignedOut registers what to do when the session is no longer valid.
export function whenSignedOut(fn) { onUnauthenticated = fn; }

export async function api(path, { method = 'GET', body } = {}) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, opts);
  } catch (e) {
    throw new APIError(0, 'network', 'The server cannot be reached.');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data && data.error ? data.error : { code: 'http_' + res.status, message: res.statusText };
    if (res.status === 401 && path !== '/session') onUnauthenticated();
    throw new APIError(res.status, err.code, err.message);
  }
  return data;
}

export const signIn = (token) => api('/session', { method: 'POST', body: { token } });
export const signOut = () => api('/session', { method: 'DELETE' });

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// Live updates: one EventSource for the console, fanned out to pages by
// topic. The browser reconnects by itself and resumes with Last-Event-ID.
const listeners = new Set();
let source = null;
let statusFn = () => {};

export function onLiveStatus(fn) { statusFn = fn; }

export function startLive() {
  if (source) return;
  source = new EventSource('/api/v1/events/stream');
  source.onopen = () => statusFn(true);
  source.onerror = () => statusFn(false);
  for (const topic of ['readings', 'job', 'alarm', 'meter', 'resync']) {
    source.addEventListener(topic, (ev) => {
      const u = JSON.parse(ev.data);
      for (const l of listeners) l(u);
    });
  }
}

export function stopLive() {
  if (source) source.close();
  source = null;
  statusFn(false);
}

// subscribe calls fn for every update; it returns the unsubscribe function.
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
