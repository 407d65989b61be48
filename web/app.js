// app.js - the console's frame: the login, the pages a person's role may
// open, the tenant they work in, and the router (#/page/...) that draws
// each page into <main>. Every page is a module with
//   export async function render(ctx, main, args)
// ctx: { session, tenant, role, atLeast(role), go(hash), tenants }.

import { api, ApiError, setCsrf, setTenant, tenant, onLoggedOut } from './api.js';
import { h, fill, errorBox, field, showFormErrors } from './ui.js';

// Roles, least first; a page or an action names the least that may use it.
const ROLES = ['viewer', 'agent', 'supervisor', 'admin'];

const PAGES = [
  { path: '', label: 'Dashboard', module: './dashboard.js', role: 'viewer', key: 'd' },
  { path: 'queue', label: 'Review queue', module: './queue.js', role: 'viewer', key: 'q' },
  { path: 'holds', module: './hold.js', role: 'viewer' },
  { path: 'orders', label: 'Orders', module: './orders.js', role: 'viewer', key: 'o' },
  { path: 'stock', label: 'Stock', module: './stock.js', role: 'viewer', key: 's' },
  { path: 'rules', label: 'Rules', module: './rules.js', role: 'viewer', key: 'r' },
  { path: 'channels', label: 'Channels', module: './channels.js', role: 'viewer', key: 'c' },
  { path: 'changes', label: 'Changes & returns', module: './changes.js', role: 'viewer', key: 'x' },
  { path: 'admin', label: 'Admin', module: './admin.js', role: 'admin', key: 'a' },
];

const app = { session: null };

function roleIn(slug) {
  const t = app.session && app.session.tenants.find((x) => x.tenant === slug);
  return t ? t.role : null;
}

function ctx() {
  const role = roleIn(tenant());
  return {
    session: app.session,
    tenant: tenant(),
    tenants: app.session.tenants,
    role,
    atLeast: (r) => ROLES.indexOf(role) >= ROLES.indexOf(r),
    go: (hash) => { location.hash = hash; },
    api,
  };
}

// ---- logging in -----------------------------------------------------------

function showLogin(message) {
  app.session = null;
  localStorage.removeItem('ordo.session');
  document.getElementById('top').hidden = true;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'login card', on: { submit: async (ev) => {
    ev.preventDefault();
    const submit = form.querySelector('button');
    submit.disabled = true;
    try {
      const s = await api('POST', '/v1/session', { email: email.value, password: password.value });
      password.value = '';
      started(s);
    } catch (err) {
      showFormErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  } } },
  h('h1', {}, 'ordo'),
  h('p', { class: 'muted' }, 'Log in to work the orders.'),
  message ? h('p', { class: 'error', role: 'alert' }, message) : null,
  field('Email', email, 'email'),
  field('Password', password, 'password'),
  h('div', { class: 'form-error', role: 'alert' }),
  h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  fill(document.getElementById('main'), form);
  email.focus();
}

function started(session) {
  app.session = session;
  localStorage.setItem('ordo.session', '1');
  setCsrf(session.csrf_token);
  const saved = sessionStorage.getItem('ordo.tenant');
  const usable = session.tenants.filter((t) => t.role !== 'integration');
  if (!usable.length) {
    showLogin('You hold no role in any tenant here. Ask an admin for one.');
    return;
  }
  setTenant(usable.some((t) => t.tenant === saved) ? saved : usable[0].tenant);
  drawFrame();
  route();
}

async function logout() {
  try { await api('DELETE', '/v1/session'); } catch { /* gone already */ }
  setCsrf(null);
  showLogin('You are logged out.');
}

// ---- the frame ------------------------------------------------------------

function drawFrame() {
  const c = ctx();
  document.getElementById('top').hidden = false;
  const nav = document.getElementById('nav');
  fill(nav, PAGES.filter((p) => p.label && c.atLeast(p.role)).map((p) =>
    h('a', { href: `#/${p.path}`, dataset: { page: p.path }, title: `${p.label} (g then ${p.key})` }, p.label)));
  const usable = app.session.tenants.filter((t) => t.role !== 'integration');
  const picker = usable.length > 1
    ? h('select', { 'aria-label': 'Tenant', on: { change: (ev) => {
      setTenant(ev.target.value);
      sessionStorage.setItem('ordo.tenant', ev.target.value);
      drawFrame();
      route();
    } } }, usable.map((t) => h('option', { value: t.tenant, selected: t.tenant === tenant() }, `${t.tenant} (${t.role})`)))
    : h('span', { class: 'tenant' }, `${tenant()} · ${c.role}`);
  fill(document.getElementById('who'),
    picker,
    h('span', { class: 'user' }, app.session.user.email),
    h('button', { type: 'button', on: { click: logout } }, 'Log out'));
}

// ---- the router -----------------------------------------------------------

let drawing = 0;

async function route() {
  if (!app.session) return;
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = hash.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === (parts[0] || ''));
  const main = document.getElementById('main');
  const c = ctx();
  document.querySelectorAll('#nav a').forEach((a) => {
    const on = a.dataset.page === (page ? page.path : null) ||
      (page && page.path === 'holds' && a.dataset.page === 'queue');
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const mine = ++drawing;
  if (!page) {
    fill(main, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. '), h('a', { href: '#/' }, 'Go to the dashboard'));
    return;
  }
  if (!c.atLeast(page.role)) {
    fill(main, h('h1', {}, 'Not for your role'), h('p', {}, `This page is for ${page.role}s.`));
    return;
  }
  fill(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const mod = await import(page.module);
    if (mine !== drawing) return;
    const el = h('div', { class: 'page' });
    await mod.render(c, el, { parts: parts.slice(1), query: new URLSearchParams(queryPart || '') });
    if (mine !== drawing) return;
    fill(main, el);
    const first = main.querySelector('h1');
    document.title = first ? `${first.textContent} · ordo` : 'ordo';
  } catch (err) {
    if (mine !== drawing) return;
    if (err instanceof ApiError && err.status === 401) return;
    console.warn(err);
    fill(main, h('h1', {}, 'This page could not be shown'), errorBox(err));
  }
}

// Keys: "g" then a page's letter opens it; "/" goes to the order search.
let pendingG = false;
function onKey(ev) {
  if (!app.session || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
  if (pendingG) {
    pendingG = false;
    const p = PAGES.find((x) => x.key === ev.key && x.label);
    if (p && ctx().atLeast(p.role)) { ev.preventDefault(); location.hash = `#/${p.path}`; }
    return;
  }
  if (ev.key === 'g') { pendingG = true; setTimeout(() => { pendingG = false; }, 1500); return; }
  if (ev.key === '/') {
    ev.preventDefault();
    const s = document.querySelector('input[type=search]');
    if (s) s.focus(); else location.hash = '#/orders';
  }
}

// ---- start ----------------------------------------------------------------

onLoggedOut(() => showLogin('Your session ended. Log in again.'));
window.addEventListener('hashchange', route);
document.addEventListener('keydown', onKey);

// Asked only when this browser logged in before, so that opening the
// console logged out makes no failing request.
(async () => {
  if (localStorage.getItem('ordo.session') !== '1') { showLogin(); return; }
  try {
    started(await api('GET', '/v1/session'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showLogin();
    else fill(document.getElementById('main'), h('h1', {}, 'ordo cannot be reached'), errorBox(err));
  }
})();
