// stock.js - #/stock: what can still be promised of each SKU at each
// location, a page of SKUs at a time (each SKU's stock fetched for that
// page only); #/stock/SKU: one SKU's stock, its stock events and, for
// supervisors, adjustments and counts.

import { api, withQuery } from './api.js';
import { h, fill, table, field, errorBox, fmtTime, link, badge, pager, newPaging, toast, submitForm } from './ui.js';

const PAGE = 25;
const REASONS = ['receipt', 'damage', 'correction', 'return', 'other'];

export async function render(ctx, main, args) {
  if (args.parts[0]) await renderSku(ctx, main, args.parts[0]);
  else await renderList(ctx, main);
}

// ---- shared ----------------------------------------------------------------

// Every location (a short list: a few pages at most) and the tenant's
// low-stock threshold (what stock.low is sent at; 5 unless set).
async function basics() {
  const locations = [];
  let cursor = null;
  do {
    const r = await api('GET', withQuery('/v1/locations', { limit: 200, cursor }));
    locations.push(...r.locations);
    cursor = r.next_cursor;
  } while (cursor && locations.length < 1000);
  const settings = await api('GET', '/v1/settings').catch(() => null);
  return { locations, low: settings ? settings.low_stock_threshold : 5 };
}

function level(available, low) {
  if (available === 0) return badge('out', 'bad');
  if (available <= low) return badge('low', 'warn');
  return null;
}

const signed = (n) => (n > 0 ? `+${n}` : String(n));
const nowrap = (...text) => h('span', { class: 'nowrap' }, ...text);
// A time that breaks between its date and its hour only.
function when(iso) {
  const [day, ...rest] = fmtTime(iso).split(' ');
  return h('span', {}, nowrap(day), ' ', nowrap(rest.join(' ')));
}
const stockHref = (sku) => `#/stock/${encodeURIComponent(sku)}`;

// An integer as typed, or the text itself so the server names the problem.
function int(text) {
  const t = text.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : t;
}

// ---- #/stock ---------------------------------------------------------------

async function renderList(ctx, main) {
  const { locations, low } = await basics();
  const search = h('input', { type: 'search', name: 'sku', placeholder: 'BEAN-1KG', autocomplete: 'off' });
  const form = h('form', { class: 'filters', on: { submit: (ev) => {
    ev.preventDefault();
    const sku = search.value.trim();
    if (sku) ctx.go(stockHref(sku));
  } } },
  field('Go to SKU (exact code)', search, 'sku'),
  h('button', { type: 'submit' }, 'Open'));

  const results = h('div', { 'aria-live': 'polite' });
  const paging = newPaging();
  let drawn = 0;

  function cell(row) {
    if (!row) return h('span', { class: 'muted', title: 'No stock row here' }, '—');
    return h('div', { class: 'nowrap' },
      h('strong', {}, String(row.available)), ' ', level(row.available, low),
      h('div', { class: 'muted', title: `${row.on_hand} on hand, ${row.reserved} reserved` }, `${row.on_hand} / ${row.reserved}`));
  }

  async function load() {
    const mine = ++drawn;
    try {
      const page = await api('GET', withQuery('/v1/skus', { limit: PAGE, cursor: paging.cursor }));
      const stock = await Promise.allSettled(page.skus.map((s) =>
        api('GET', withQuery('/v1/stock', { sku: s.sku }))));
      if (mine !== drawn) return;
      paging.next = page.next_cursor;
      const rows = page.skus.map((s, i) => ({
        ...s,
        stock: stock[i].status === 'fulfilled' ? stock[i].value : null,
        error: stock[i].status === 'rejected' ? stock[i].reason : null,
      }));
      const at = (r, code) => r.stock && r.stock.locations.find((l) => l.location === code);
      fill(results, table([
        { label: 'SKU', cell: (r) => h('div', {},
          nowrap(link(stockHref(r.sku), r.sku)), r.active ? null : [' ', badge('inactive')],
          h('div', { class: 'muted' }, r.title)) },
        ...locations.map((l) => ({ label: l.code, class: 'num', cell: (r) => (r.error ? '' : cell(at(r, l.code))) })),
        { label: 'Total', class: 'num', cell: (r) => (r.error
          ? h('span', { class: 'error' }, r.error.message)
          : cell(r.stock.locations.length ? r.stock.total : null)) },
      ], rows, { empty: 'There are no SKUs in the catalog yet.', caption: 'Available in bold; below it on hand / reserved.' }),
      pager(paging, load));
    } catch (err) {
      if (mine === drawn) fill(results, errorBox(err));
    }
  }

  main.append(h('h1', {}, 'Stock'), form,
    h('p', { class: 'muted' }, 'Available is what can still be promised: on hand less reserved and safety stock. ',
      badge('low', 'warn'), ` at or below ${low} units, `, badge('out', 'bad'), ' at none.'),
    results);
  await load();
}

// ---- #/stock/SKU -----------------------------------------------------------

async function renderSku(ctx, main, sku) {
  main.append(h('h1', {}, `Stock of ${sku}`), h('p', {}, link('#/stock', '← All stock')));
  const { locations, low } = await basics();
  const figures = h('div', { 'aria-live': 'polite' });
  const events = h('div');
  let stock = null;

  async function loadFigures() {
    try {
      stock = await api('GET', withQuery('/v1/stock', { sku }));
    } catch (err) {
      stock = null;
      fill(figures, errorBox(err));
      return false;
    }
    const name = (code) => (locations.find((l) => l.code === code) || {}).name || '';
    const rows = stock.locations.length ? [...stock.locations, { ...stock.total, location: 'Total', total: true }] : [];
    const none = locations.filter((l) => !stock.locations.some((s) => s.location === l.code));
    fill(figures, table([
      { label: 'Location', cell: (r) => (r.total ? h('strong', {}, 'Total')
        : h('div', {}, r.location, h('div', { class: 'muted' }, name(r.location)))) },
      { label: 'Available', class: 'num', cell: (r) => h('span', {}, h('strong', {}, String(r.available)), ' ', level(r.available, low)) },
      { label: 'On hand', class: 'num', cell: (r) => String(r.on_hand) },
      { label: 'Reserved', class: 'num', cell: (r) => String(r.reserved) },
      { label: 'Safety stock', class: 'num', cell: (r) => String(r.safety_stock) },
    ], rows, { empty: 'No location holds this SKU yet. A count creates its stock there.' }),
    none.length && rows.length
      ? h('p', { class: 'muted' }, `No stock row yet at ${none.map((l) => l.code).join(', ')}: a count or adjustment there creates one.`)
      : null);
    return true;
  }

  // Stock events, newest first, optionally of one location.
  const where = h('select', { name: 'location', on: { change: () => { paging.cursor = null; paging.before = []; loadEvents(); } } },
    h('option', { value: '' }, 'every location'), locations.map((l) => h('option', { value: l.code }, l.code)));
  const list = h('div', { 'aria-live': 'polite' });
  const paging = newPaging();
  async function loadEvents() {
    try {
      const r = await api('GET', withQuery('/v1/stock/events', { sku, location: where.value, limit: PAGE, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      fill(list, table([
        { label: 'When', cell: (e) => when(e.at) },
        { label: 'Location', cell: (e) => e.location },
        { label: 'Event', cell: (e) => e.type },
        { label: 'On hand', class: 'num', cell: (e) => h('span', {}, signed(e.delta_on_hand), h('div', { class: 'muted' }, `→ ${e.on_hand}`)) },
        { label: 'Reserved', class: 'num', cell: (e) => h('span', {}, signed(e.delta_reserved), h('div', { class: 'muted' }, `→ ${e.reserved}`)) },
        { label: 'Reason', cell: (e) => h('span', {}, e.reason, e.note ? h('div', { class: 'muted' }, e.note) : null) },
        { label: 'By', cell: (e) => e.actor },
        { label: 'Order', cell: (e) => (e.order_id ? link(`#/orders/${encodeURIComponent(e.order_id)}`, e.order_id) : '') },
      ], r.events, { empty: 'No stock events for this SKU yet.' }),
      pager(paging, loadEvents));
    } catch (err) {
      fill(list, errorBox(err));
    }
  }
  fill(events, h('h2', {}, 'Stock events'), h('div', { class: 'filters' }, field('Location', where, 'location')), list);

  async function reload() {
    await loadFigures();
    paging.cursor = null;
    paging.before = [];
    await loadEvents();
  }

  main.append(figures);
  if (!(await loadFigures())) return;
  if (ctx.atLeast('supervisor')) main.append(h('h2', {}, 'Change the stock'), h('div', { class: 'grid' },
    adjustForm(sku, locations, reload), countForm(sku, locations, () => stock, reload)));
  main.append(events);
  await loadEvents();
}

function locationSelect(locations) {
  return h('select', { name: 'location', required: true },
    locations.map((l) => h('option', { value: l.code }, `${l.code} – ${l.name}${l.active ? '' : ' (inactive)'}`)));
}

// A form's submit: send(), then done(answer) (ui.js's submitForm).
function submitter(form, send, done) {
  return (ev) => {
    ev.preventDefault();
    submitForm(form, send, done);
  };
}

const stockPath = (code, sku) => `/v1/locations/${encodeURIComponent(code)}/stock/${encodeURIComponent(sku)}`;

function adjustForm(sku, locations, reload) {
  const where = locationSelect(locations);
  const delta = h('input', { type: 'text', inputmode: 'numeric', name: 'delta', placeholder: '+10 or -2', autocomplete: 'off' });
  const reason = h('select', { name: 'reason' }, REASONS.map((r) => h('option', { value: r }, r)));
  const note = h('input', { type: 'text', name: 'note', maxlength: 255, placeholder: 'PO 4711' });
  const form = h('form', { class: 'card' },
    h('h3', {}, 'Adjust'),
    h('p', { class: 'muted' }, 'Add units that came in, or take off damaged or missing ones.'),
    field('Location', where, 'location'), field('Units (+ added, − removed)', delta, 'delta'),
    field('Reason', reason, 'reason'), field('Note', note, 'note'),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Adjust'));
  form.addEventListener('submit', submitter(form, () => {
    const body = { delta: int(delta.value), reason: reason.value };
    if (delta.value.trim() === '') delete body.delta;
    if (note.value.trim()) body.note = note.value.trim();
    return api('POST', `${stockPath(where.value, sku)}/adjustments`, body);
  }, async (s) => {
    delta.value = '';
    note.value = '';
    toast(`${s.location}: ${s.on_hand} on hand, ${s.available} available`);
    await reload();
  }));
  return form;
}

function countForm(sku, locations, current, reload) {
  const where = locationSelect(locations);
  const onHand = h('input', { type: 'text', inputmode: 'numeric', name: 'on_hand', autocomplete: 'off' });
  const safety = h('input', { type: 'text', inputmode: 'numeric', name: 'safety_stock', autocomplete: 'off' });
  const hint = () => {
    const s = current() && current().locations.find((l) => l.location === where.value);
    onHand.placeholder = s ? `now ${s.on_hand}` : 'none counted yet';
    safety.placeholder = s ? `keep ${s.safety_stock}` : 'keep 0';
  };
  where.addEventListener('change', hint);
  hint();
  const form = h('form', { class: 'card' },
    h('h3', {}, 'Set on hand'),
    h('p', { class: 'muted' }, 'Record a physical count. Leave safety stock empty to keep it.'),
    field('Location', where, 'location'), field('On hand', onHand, 'on_hand'),
    field('Safety stock', safety, 'safety_stock'),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Set count'));
  form.addEventListener('submit', submitter(form, () => {
    const body = {};
    if (onHand.value.trim() !== '') body.on_hand = int(onHand.value);
    if (safety.value.trim() !== '') body.safety_stock = int(safety.value);
    return api('PUT', stockPath(where.value, sku), body);
  }, async (s) => {
    onHand.value = '';
    safety.value = '';
    toast(`${s.location}: counted ${s.on_hand}, ${s.available} available`);
    await reload();
    hint();
  }));
  return form;
}
