// channels.js - the channels orders come in through: each with its recent
// orders and what went wrong with it, CSV imports (upload, progress and the
// rows not taken) and an x12 channel's acknowledgments (855 and 997).
//   #/channels               every channel, the upload, the imports
//   #/channels/imports/ID    one import: its progress and its report

import { api, withQuery, ApiError } from './api.js';
import {
  h, fill, table, field, showFormErrors, errorBox, empty, pager, newPaging,
  toast, fmtTime, fmtPct, badge, link, button,
} from './ui.js';

const MAX_FILE = 64 * 1024 * 1024;
const POLL_MS = 1000;

const STATE_KIND = {
  on_hold: 'warn', rejected: 'bad', cancelled: 'bad', failed: 'bad',
  shipped: 'ok', delivered: 'ok', closed: 'ok', done: 'ok',
};
const stateBadge = (s) => badge(s.replace(/_/g, ' '), STATE_KIND[s]);
const BEFORE_DECISION = ['received', 'validated', 'on_hold'];
const orderLink = (id, text) => link(`#/orders/${encodeURIComponent(id)}`, text || id);
// An X12 answer (an 855, 997s) is asked for as text, not JSON; an error
// answer is JSON still.
const X12 = { text: true, accept: 'application/edi-x12, application/json', type: 'application/edi-x12' };

export async function render(ctx, main, args) {
  if (args.parts[0] === 'imports' && args.parts[1]) {
    await renderImport(main, args.parts[1]);
    return;
  }
  const [{ channels }, hooks] = await Promise.all([
    api('GET', '/v1/channels'),
    api('GET', '/v1/webhooks').catch(() => ({ webhooks: [] })),
  ]);
  const imports = importsList();
  const recentImports = api('GET', withQuery('/v1/imports', { limit: 50 })).then((r) => r.imports);
  recentImports.catch(() => {}); // each csv channel says the error; without one, nobody need
  main.append(h('h1', {}, 'Channels and imports'));
  if (ctx.atLeast('supervisor')) main.append(uploadCard(channels, imports.reload));
  main.append(h('h2', {}, 'Channels'));
  main.append(channels.length
    ? h('div', {}, channels.map((c) => channelCard(ctx, c, hooks.webhooks, recentImports)))
    : empty('No channels yet. An admin makes them through the API (POST /v1/channels).'));
  main.append(h('h2', {}, 'Imports'), imports.el);
}

// ---- one channel ------------------------------------------------------------

function channelCard(ctx, c, webhooks, recentImports) {
  const figures = h('div', { class: 'figures below' }, h('span', { class: 'muted' }, 'Loading figures…'));
  const holds = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const orders = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const right = h('div', {}, h('h4', {}, 'Recent orders'), orders);
  if (c.kind === 'x12' && ctx.atLeast('supervisor')) right.append(x12Form(c));
  const card = h('section', { class: 'card', 'aria-label': `Channel ${c.name}` },
    h('h3', {}, c.name, ' ', badge(c.kind)),
    h('div', { class: 'side' },
      h('div', {}, h('dl', { class: 'kv' }, details(c)), figures, ownWebhook(c, webhooks),
        c.kind === 'csv' ? channelImports(c, recentImports) : null,
        h('h4', {}, 'Open holds'), holds),
      right));

  api('GET', withQuery('/v1/metrics/summary', { channel: c.name })).then((s) => fill(figures,
    h('span', {}, `Received (30 days): ${s.orders_received}`),
    h('span', {}, `On hold now: ${(s.backlog.by_state || {}).on_hold || 0}`),
    h('span', {}, `Exception rate: ${fmtPct(s.exception_rate)}`),
  )).catch((err) => fill(figures, errorBox(err)));

  api('GET', withQuery('/v1/queue', { channel: c.name, limit: 5 })).then((q) => fill(holds,
    q.items.length ? h('ul', { class: 'timeline' }, q.items.map((it) => h('li', {},
      badge(it.hold.type.replace(/_/g, ' '), it.overdue ? 'bad' : 'warn'), ' ',
      orderLink(it.order.id, it.order.external_id || it.order.id), ' ',
      h('span', { class: 'muted' }, it.hold.message)))) : empty('No open holds.'),
    q.next_cursor ? h('p', {}, link('#/queue', 'More in the review queue')) : null,
  )).catch((err) => fill(holds, errorBox(err)));

  api('GET', withQuery('/v1/orders', { channel: c.name, limit: 10 }))
    .then((r) => fill(orders, recentOrders(ctx, c, r.orders)))
    .catch((err) => fill(orders, errorBox(err)));
  return card;
}

// A csv channel's last imports, with the rows they refused.
function channelImports(c, recentImports) {
  const el = h('div');
  recentImports.then((all) => {
    const mine = all.filter((i) => i.channel === c.name).slice(0, 3);
    fill(el, h('h4', {}, 'Last imports'), mine.length ? h('ul', { class: 'timeline' }, mine.map((i) => h('li', {},
      h('span', { class: 'when' }, fmtTime(i.created_at)),
      link(`#/channels/imports/${encodeURIComponent(i.id)}`, i.file_name || i.id), ' ', stateBadge(i.state), ' ',
      i.rows_refused ? badge(`${i.rows_refused} rows refused`, 'bad') : h('span', { class: 'muted' }, 'no row refused'))))
      : h('p', { class: 'muted' }, 'None among the latest imports.'));
  }).catch((err) => fill(el, errorBox(err)));
  return el;
}

function details(c) {
  const rows = [['Endpoint', h('code', { class: 'break' }, c.endpoint)]];
  if (c.currency || (c.map && c.map.currency)) rows.push(['Currency', c.currency || c.map.currency]);
  if (c.location) rows.push(['Location', c.location]);
  if (c.kind === 'x12') rows.push(['Partner', `${c.edi_partner_id || '—'} (we are ${c.edi_own_id || '—'})`]);
  if (c.kind === 'shopify' || c.kind === 'woocommerce')
    rows.push(['Signing secret', c.secret_set ? 'set' : 'not set'], ['Store API', c.base_url || 'none']);
  rows.push(['SKU codes mapped', String(c.sku_count || 0)]);
  return rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]);
}

// The webhook a storefront channel owns (it tells the store of its orders):
// paused or failing means the store hears nothing.
function ownWebhook(c, webhooks) {
  const w = webhooks.find((x) => x.channel === c.name || x.channel === c.id);
  if (!w) return null;
  const bad = w.status === 'paused' || w.failing_since;
  return h('p', {},
    'Updates to the store: ', badge(w.status, w.status === 'paused' ? 'bad' : (bad ? 'warn' : 'ok')),
    w.failing_since ? ` failing since ${fmtTime(w.failing_since)}` : '',
    w.last_error ? h('span', { class: 'muted' }, ` — ${w.last_error}`) : '');
}

function recentOrders(ctx, c, orders) {
  const ack = h('div');
  const cols = [
    { label: 'Order', cell: (o) => orderLink(o.id, o.external_id || o.id) },
    { label: 'State', cell: (o) => stateBadge(o.state) },
    { label: 'Received', cell: (o) => fmtTime(o.received_at) },
    { label: 'Total', class: 'num', cell: (o) => `${o.totals.total} ${o.currency}` },
  ];
  // The 855 is made once a person or the policy has decided (accepted on).
  if (c.kind === 'x12') cols.push({ label: '855', cell: (o) => (BEFORE_DECISION.includes(o.state)
    ? h('span', { class: 'muted', title: 'The acknowledgment is made once the order is accepted' }, 'after review')
    : button('855', () => show855(ack, o), { 'aria-label': `Show the 855 of ${o.external_id}` })) });
  return [table(cols, orders, { empty: 'No orders through this channel yet.' }), ack];
}

async function show855(box, o) {
  fill(box, h('p', { class: 'muted' }, `Loading the 855 of ${o.external_id}…`));
  try {
    const { text } = await api('GET', `/v1/orders/${encodeURIComponent(o.id)}/x12/855`, undefined, X12);
    fill(box, h('h4', {}, `855 acknowledgment of ${o.external_id}`), h('pre', {}, text));
  } catch (err) {
    fill(box, errorBox(err));
  }
}

// Sending a partner's X12 file; the answer is its 997s (one per interchange).
function x12Form(c) {
  const file = h('input', { type: 'file', name: 'body', required: true });
  const out = h('div');
  const form = h('form', { on: { submit: async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    const submit = form.querySelector('button');
    submit.disabled = true;
    showFormErrors(form, null);
    try {
      const { text, headers } = await api('POST', `/v1/channels/${encodeURIComponent(c.id)}/x12`, f, X12);
      const n = (k) => headers.get(`X-Ordo-${k}`) || '0';
      fill(out,
        h('div', { class: 'figures' },
          h('span', {}, `Orders taken: ${n('Orders-Taken')}`),
          h('span', {}, `already there: ${n('Orders-Existing')}`),
          h('span', {}, `refused: ${n('Orders-Refused')}`),
          h('span', {}, `interchanges seen before: ${n('Interchanges-Seen')}`),
          h('span', {}, `shipments taken: ${n('Shipments-Taken')}`),
          h('span', {}, `changes taken: ${n('Changes-Taken')}`)),
        h('h4', {}, '997 acknowledgments'), h('pre', {}, text));
      toast('X12 file taken');
    } catch (err) {
      showFormErrors(form, err);
      fill(out, err.details && err.details.length ? h('ul', {}, err.details.map((d) =>
        h('li', {}, d.field ? h('code', {}, d.field) : null, d.field ? ': ' : null, d.message))) : null);
    } finally {
      submit.disabled = false;
    }
  } } },
  field('X12 file (850 orders, 856/945 notices, 860 changes)', file, 'body'),
  h('div', { class: 'form-error', role: 'alert' }),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send to ordo')));
  return h('details', {}, h('summary', {}, 'Send an X12 file'), form, out);
}

// ---- CSV imports ------------------------------------------------------------

function uploadCard(channels, onChange) {
  const csv = channels.filter((c) => c.kind === 'csv');
  const channel = h('select', { name: 'channel' },
    csv.map((c) => h('option', { value: c.name }, c.name)),
    h('option', { value: '' }, 'csv (ordo\'s own column names)'));
  const file = h('input', { type: 'file', name: 'body', accept: '.csv,text/csv', required: true });
  const out = h('div');
  const form = h('form', { on: { submit: async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    showFormErrors(form, null);
    if (f.size > MAX_FILE) {
      showFormErrors(form, { message: 'The file is over 64 MiB, more than one import takes.', details: [] });
      return;
    }
    const submit = form.querySelector('button');
    submit.disabled = true;
    try {
      const imp = await api('POST', withQuery('/v1/imports',
        { channel: channel.value, file_name: f.name.slice(0, 255) }), f, { type: 'text/csv' });
      fill(out, importView(imp, onChange));
      file.value = '';
      onChange();
    } catch (err) {
      showFormErrors(form, err);
    } finally {
      submit.disabled = false;
    }
  } } },
  h('div', { class: 'filters' },
    field('Channel', channel, 'channel'),
    field('CSV file', file, 'body'),
    h('button', { type: 'submit', class: 'primary' }, 'Import')),
  h('div', { class: 'form-error', role: 'alert' }));
  return h('section', { class: 'card' },
    h('h2', {}, 'Import orders from a CSV file'),
    h('p', { class: 'muted' }, 'One row per order line. The channel\'s mapping reads the columns; an order with a bad row is not taken, the others are. A file may be imported again: orders already taken are not taken twice.'),
    form, out);
}

// The paged list of every import, newest first.
function importsList() {
  const paging = newPaging();
  const el = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const load = async () => {
    try {
      const r = await api('GET', withQuery('/v1/imports', { limit: 10, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      fill(el, table([
        { label: 'Started', cell: (i) => fmtTime(i.created_at) },
        { label: 'File', cell: (i) => link(`#/channels/imports/${encodeURIComponent(i.id)}`, i.file_name || i.id) },
        { label: 'Channel', cell: (i) => i.channel },
        { label: 'State', cell: (i) => stateBadge(i.state) },
        { label: 'Orders done', class: 'num', cell: (i) => `${i.orders_done} / ${i.orders}` },
        { label: 'Taken', class: 'num', cell: (i) => i.orders_taken },
        { label: 'Already there', class: 'num', cell: (i) => i.orders_existing },
        { label: 'Refused', class: 'num', cell: (i) => i.orders_refused
          ? badge(`${i.orders_refused} (${i.rows_refused} rows)`, 'bad') : '0' },
      ], r.imports, { empty: 'No imports yet.' }), pager(paging, load));
    } catch (err) {
      fill(el, errorBox(err));
    }
  };
  load();
  return { el, reload: () => { Object.assign(paging, newPaging()); load(); } };
}

async function renderImport(main, id) {
  const back = h('p', {}, link('#/channels', '← Channels and imports'));
  let imp;
  try {
    imp = await api('GET', withQuery(`/v1/imports/${encodeURIComponent(id)}`, { limit: 1 }));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    main.append(back, h('h1', {}, 'No such import'), errorBox(err));
    return;
  }
  main.append(
    back,
    h('h1', {}, `Import: ${imp.file_name || imp.id}`),
    importView(imp));
}

// An import as it runs (polled until done or failed), then its report: the
// rows not taken, with why.
function importView(first, onFinished) {
  const head = h('div');
  const report = h('div');
  const el = h('section', { class: 'card', 'aria-live': 'polite' }, head, report);
  const draw = (imp) => {
    const running = imp.state === 'running';
    fill(head,
      h('h3', {}, imp.file_name || imp.id, ' ', stateBadge(imp.state)),
      h('p', { class: 'muted' }, `Channel ${imp.channel} · started ${fmtTime(imp.created_at)}`,
        imp.finished_at ? ` · finished ${fmtTime(imp.finished_at)}` : ''),
      running && !imp.orders ? h('p', {}, 'Reading the file…') : !imp.orders ? null : h('p', {},
        h('progress', { max: String(Math.max(imp.orders, 1)), value: String(imp.orders_done),
          'aria-label': 'Orders dealt with' }),
        ` ${imp.orders_done} of ${imp.orders} orders dealt with`,
        imp.orders ? ` (${Math.floor((100 * imp.orders_done) / imp.orders)}%)` : '',
        h('span', { class: 'muted' }, ` · ${imp.rows} rows`)),
      h('div', { class: 'figures' },
        h('span', {}, `Taken: ${imp.orders_taken}`),
        h('span', {}, `Already there: ${imp.orders_existing}`),
        h('span', {}, `Refused: ${imp.orders_refused} orders, ${imp.rows_refused} rows`)),
      imp.message ? h('p', { class: imp.state === 'failed' ? 'error' : 'muted' }, imp.message) : null);
  };
  draw(first);
  if (first.state !== 'running') {
    rowsNotTaken(report, first.id);
    return el;
  }
  fill(report, h('p', { class: 'muted' }, 'The rows not taken are listed once the import is through.'));
  let seen = false;
  let misses = 0;
  const tick = async () => {
    if (el.isConnected) seen = true;
    else if (seen || ++misses > 30) return; // the page was left
    try {
      const imp = await api('GET', withQuery(`/v1/imports/${encodeURIComponent(first.id)}`, { limit: 1 }));
      draw(imp);
      if (imp.state !== 'running') {
        rowsNotTaken(report, imp.id);
        if (onFinished) onFinished();
        return;
      }
    } catch (err) {
      fill(report, errorBox(err));
      if (err instanceof ApiError && err.status < 500) return; // it will not mend; a 5xx or a lost connection may
    }
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
  return el;
}

function rowsNotTaken(el, id) {
  const paging = newPaging();
  const load = async () => {
    try {
      const r = await api('GET', withQuery(`/v1/imports/${encodeURIComponent(id)}`, { limit: 25, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      const rows = r.rows_not_taken || [];
      fill(el, h('h4', {}, 'Rows not taken'),
        rows.length || paging.before.length ? [table([
          { label: 'Line', class: 'num', cell: (x) => (x.line ? x.line : h('span', { class: 'nowrap' }, 'whole file')) },
          { label: 'Column', cell: (x) => x.column || '—' },
          { label: 'Order', cell: (x) => h('span', { class: 'nowrap' }, x.external_id || '—') },
          { label: 'Problem', cell: (x) => x.reason },
        ], rows), pager(paging, load)] : empty('Every row was taken.'));
    } catch (err) {
      fill(el, errorBox(err));
    }
  };
  load();
}
