// api.js - the console's one way to call ordo's API: with the person's
// session cookie, the tenant they work in (Ordo-Tenant) and, for a change,
// the session's CSRF token. An error answer becomes an ApiError that keeps
// ordo's message and the field it names.

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `the server answered ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.details = Array.isArray(e.details) ? e.details : [];
  }
  // The message of the problem with field, if the server named it.
  about(field) {
    const d = this.details.find((x) => x.field === field);
    return d ? d.message : null;
  }
}

const state = { tenant: null, csrf: null, onLoggedOut: null };

export function setTenant(slug) { state.tenant = slug; }
export function tenant() { return state.tenant; }
export function setCsrf(token) { state.csrf = token; }
// Called when the session ended (401): the console shows the login again.
export function onLoggedOut(fn) { state.onLoggedOut = fn; }

// Build "path?k=v&..." leaving out empty values.
export function withQuery(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// Call the API. body: an object (sent as JSON), a string or a File/Blob
// (sent as it is, with opts.type), or undefined. opts.tenant overrides
// the tenant (for example '*' for the queue of every tenant). The answer
// is its JSON; with opts.text it is { text, headers } instead, for an
// answer that is not JSON (an X12 855, 997s), asked for with opts.accept.
// Either way an error answer becomes an ApiError from its JSON body.
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  const t = opts.tenant || state.tenant;
  if (t) headers['Ordo-Tenant'] = t;
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  let payload;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = opts.type || 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  const res = await fetch(path, {
    method, headers, body: payload, credentials: 'same-origin',
  });
  const text = await res.text();
  const json = () => {
    if (!text) return null;
    try { return JSON.parse(text); } catch { return null; }
  };
  if (!res.ok) {
    if (res.status === 401 && path !== '/v1/session' && state.onLoggedOut)
      state.onLoggedOut();
    throw new ApiError(res.status, json());
  }
  return opts.text ? { text, headers: res.headers } : json();
}
