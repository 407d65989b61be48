// changes.js - #/changes: changes a warehouse refused or let expire (they
// wait for a person), change requests still waiting on a warehouse, and
// returns still to be received; #/changes/ID (ord_, chg_ or ret_): an
// order's changes and returns, one change request or one return, with
// their actions.
//
// Refused and expired changes wait for a person as the review queue's
// change_after_release holds; requests waiting on a warehouse and returns
// to receive are the API's own lists, a page at a time.

import { api, withQuery } from './api.js';
import { h, fill, table, field, errorBox, empty, fmtTime, fmtAge, link, badge, pager, newPaging, toast, showFormErrors, submitForm } from './ui.js';

const RETURN_REASONS = ['damaged', 'defective', 'wrong_item', 'missing_item', 'not_wanted', 'other'];

const enc = encodeURIComponent;
const here = (id) => `#/changes/${enc(id)}`;
const holdHref = (orderId, holdId) => `#/holds/${enc(orderId)}/${enc(holdId)}`;
const words = (s) => String(s).replace(/_/g, ' ');
const stillToCome = (l) => l.quantity - l.received;
const toReceive = (r) => r.lines.some((l) => stillToCome(l) > 0);

export async function render(ctx, main, args) {
  const id = args.parts[0];
  if (!id) {
    await renderOverview(ctx, main);
    return;
  }
  const kind = id.startsWith('chg_') ? 'Change request' : id.startsWith('ret_') ? 'Return' : 'Order';
  const title = h('h1', {}, `${kind} ${id}`);
  const box = h('div');
  main.append(title, h('p', {}, link('#/changes', '← Changes & returns')), box);
  await show(ctx, box, title, id);
}

// ---- helpers ---------------------------------------------------------------

function int(text) {
  const t = String(text).trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : t;
}

const kv = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
const nowrap = (...text) => h('span', { class: 'nowrap' }, ...text);
// A time that breaks between its date and its hour only.
function when(iso) {
  const [day, ...rest] = fmtTime(iso).split(' ');
  return h('span', {}, nowrap(day), ' ', nowrap(rest.join(' ')));
}
// A card's first heading (no space above it) and a form kept readable wide.
const cardTitle = (...text) => h('h3', {}, ...text);

function due(at) {
  if (!at) return '—';
  const left = Date.parse(at) - Date.now();
  return h('span', {}, when(at), left < 0 ? [' ', badge('overdue', 'bad')]
    : left < 3600e3 ? [' ', badge('due soon', 'warn')] : null);
}

function changeBadge(state) {
  const kind = { requested: 'warn', accepted: 'ok', applied: 'ok', refused: 'bad', expired: 'bad' }[state];
  return badge(state === 'requested' ? 'waiting on warehouse' : state, kind);
}

function returnBadge(r) {
  if (r.state === 'refunded') return toReceive(r) ? badge('refunded, units to come', 'warn') : badge('refunded', 'ok');
  return badge(words(r.state), r.state === 'received' ? 'ok' : 'warn');
}

// A hold's message with the change it names linked.
function changeMessage(text) {
  const m = /chg_[0-9a-z]+/.exec(text);
  if (!m) return text;
  return h('span', {}, text.slice(0, m.index), link(here(m[0]), m[0]), text.slice(m.index + m[0].length));
}

// A quantity input per line; collect() gives the lines with units and
// names each field as the server names it (lines[i].quantity).
function lineInputs(lines, max, start) {
  const rows = lines.map((l) => {
    const input = h('input', { type: 'number', min: 0, max: max(l), step: 1, value: String(start(l)) });
    return { l, input, el: field(`Line ${l.line_no} · ${l.sku} (up to ${max(l)})`, input) };
  });
  return {
    // With room for a problem of the lines as a whole ("lines").
    fields: h('div', { dataset: { field: 'lines' } }, h('div', { class: 'field-error', role: 'alert' }), rows.map((r) => r.el)),
    collect() {
      const out = [];
      for (const r of rows) {
        delete r.el.dataset.field;
        const v = r.input.value.trim();
        if (v === '' || Number(v) === 0) continue;
        r.el.dataset.field = `lines[${out.length}].quantity`;
        out.push({ line_no: r.l.line_no, quantity: int(v) });
      }
      return out;
    },
  };
}

// ---- #/changes -------------------------------------------------------------

async function renderOverview(ctx, main) {
  const refused = h('section');
  const waiting = h('section');
  const returns = h('section');
  main.append(h('h1', {}, 'Changes & returns'), lookupForm(ctx), refused, waiting, returns);
  await Promise.all([refusedSection(refused), waitingSection(waiting), returnsSection(returns)]);
}

function lookupForm(ctx) {
  const input = h('input', { type: 'search', name: 'id', autocomplete: 'off', placeholder: 'ord_…, chg_…, ret_… or order number', size: 40 });
  const form = h('form', { class: 'filters', on: { submit: (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    if (/^(ord|chg|ret)_/.test(v)) {
      ctx.go(here(v));
      return;
    }
    // Anything else is taken for an order's number (its external_id).
    submitForm(form, () => api('GET', withQuery('/v1/orders', { external_id: v, limit: 2 })), (r) => {
      if (r.orders.length === 1) ctx.go(here(r.orders[0].id));
      else showFormErrors(form, { message: r.orders.length
        ? `Several orders have the number ${v}: give the order id (ord_…).`
        : `No order has the number ${v}, and it is no order, change or return id.`, details: [] });
    });
  } } },
  field('Order, change or return', input, 'id'),
  h('button', { type: 'submit' }, 'Look up'),
  h('div', { class: 'form-error', role: 'alert' }));
  return form;
}

async function refusedSection(box) {
  const list = h('div', { 'aria-live': 'polite' });
  const paging = newPaging();
  fill(box, h('h2', {}, 'Refused or expired: waiting for a person'),
    h('p', { class: 'muted' }, 'A warehouse refused these changes or did not answer in time. '
      + 'Each holds its order in the review queue until someone resolves the hold.'),
    list);
  async function load() {
    try {
      const r = await api('GET', withQuery('/v1/queue', { type: 'change_after_release', limit: 25, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      fill(list, table([
        { label: 'Due', cell: (x) => h('span', {}, when(x.hold.due_at), x.overdue ? [' ', badge('overdue', 'bad')] : null) },
        { label: 'Order', cell: (x) => h('div', {}, link(here(x.order.id), x.order.external_id || x.order.id),
          h('div', { class: 'muted' }, x.order.customer_name)) },
        { label: 'What happened', cell: (x) => changeMessage(x.hold.message) },
        { label: 'Age', class: 'num', cell: (x) => fmtAge(x.age_s) },
        { label: 'Hold', cell: (x) => link(holdHref(x.order.id, x.hold.id), 'Open the hold') },
      ], r.items, { empty: 'No refused or expired change is waiting for a person.' }),
      pager(paging, load));
    } catch (err) {
      fill(list, errorBox(err));
    }
  }
  await load();
}

const PAGE = 25;

// The change requests waiting for a warehouse's answer, oldest due first.
async function waitingSection(box) {
  const paging = newPaging();
  const list = h('div', { 'aria-live': 'polite' });
  fill(box, h('h2', {}, 'Waiting on a warehouse'), list);
  async function load() {
    try {
      const r = await api('GET', withQuery('/v1/change-requests', { limit: PAGE, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      fill(list, table([
        { label: 'Answer due', cell: (c) => due(c.due_at) },
        { label: 'Change', cell: (c) => h('div', {}, link(here(c.id), c.summary), h('div', { class: 'muted' }, c.reason)) },
        { label: 'Order', cell: (c) => h('div', {}, link(here(c.order_id), c.order.external_id || c.order_id),
          c.order.customer_name ? h('div', { class: 'muted' }, c.order.customer_name) : null) },
        { label: 'Asked', cell: (c) => h('div', {}, when(c.requested_at), h('div', { class: 'muted' }, c.requested_by)) },
      ], r.change_requests, { empty: 'No change request is waiting on a warehouse.' }), pager(paging, load));
    } catch (err) {
      fill(list, errorBox(err));
    }
  }
  await load();
}

// Returns authorised and not yet received in full: those no unit of came
// back yet, then those that came back in part; newest first.
async function returnsSection(box) {
  const parts = [['authorized', 'Authorised, nothing received yet'], ['partly_received', 'Received in part']];
  fill(box, h('h2', {}, 'Returns waiting to be received'));
  await Promise.all(parts.map(async ([state, title]) => {
    const paging = newPaging();
    const list = h('div', { 'aria-live': 'polite' });
    box.append(h('h3', {}, title), list);
    async function load() {
      try {
        const r = await api('GET', withQuery('/v1/returns', { state, limit: PAGE, cursor: paging.cursor }));
        paging.next = r.next_cursor;
        fill(list, table([
          { label: 'Return', cell: (x) => link(here(x.id), x.id) },
          { label: 'Order', cell: (x) => link(here(x.order_id), x.order_id) },
          { label: 'Reason', cell: (x) => h('div', {}, words(x.reason), x.note ? h('div', { class: 'muted' }, x.note) : null) },
          { label: 'Still to come', cell: (x) => x.lines.filter((l) => stillToCome(l) > 0)
            .map((l) => h('div', {}, nowrap(`${stillToCome(l)} × ${l.sku}`))) },
          { label: 'Authorised', cell: (x) => h('div', {}, when(x.created_at), h('div', { class: 'muted' }, x.created_by)) },
        ], r.returns, { empty: state === 'authorized' ? 'No returns waiting to be received.' : 'None received in part.' }),
        pager(paging, load));
      } catch (err) {
        fill(list, errorBox(err));
      }
    }
    await load();
  }));
}

// ---- #/changes/ID ----------------------------------------------------------

async function locationsFor(ctx) {
  if (!ctx.atLeast('supervisor')) return [];
  const r = await api('GET', withQuery('/v1/locations', { limit: 200 }));
  return r.locations;
}

async function show(ctx, box, title, id) {
  const again = () => show(ctx, box, title, id);
  try {
    if (id.startsWith('chg_')) {
      const c = await api('GET', `/v1/change-requests/${enc(id)}`);
      fill(box, changeCard(ctx, c, again));
    } else if (id.startsWith('ret_')) {
      const [r, locations] = await Promise.all([api('GET', `/v1/returns/${enc(id)}`), locationsFor(ctx)]);
      fill(box, returnCard(ctx, r, locations, again));
    } else {
      const path = `/v1/orders/${enc(id)}`;
      const [o, ch, rt, locations] = await Promise.all([
        api('GET', path), api('GET', `${path}/changes`), api('GET', `${path}/returns`), locationsFor(ctx)]);
      title.textContent = `Changes & returns of order ${o.external_id || o.id}`;
      fill(box, orderView(ctx, o, ch.changes, rt.returns, locations, again));
    }
  } catch (err) {
    fill(box, errorBox(err));
  }
}

function orderView(ctx, o, changes, returns, locations, again) {
  const waiting = changes.filter((c) => c.state === 'requested');
  const settled = changes.filter((c) => c.state !== 'requested').reverse();
  const returnable = o.lines.filter((l) => l.shipped > l.returned);
  return [
    h('dl', { class: 'kv card' },
      kv('Order', link(`#/orders/${enc(o.id)}`, o.id)), kv('State', words(o.state)),
      kv('Customer', o.customer.name || '—')),
    h('h2', {}, 'Changes'),
    waiting.map((c) => changeCard(ctx, c, again)),
    settled.length || !waiting.length ? table([
      { label: 'Asked', cell: (c) => when(c.requested_at) },
      { label: 'Change', cell: (c) => h('div', {}, link(here(c.id), c.summary), h('div', { class: 'muted' }, c.reason)) },
      { label: 'State', cell: (c) => changeBadge(c.state) },
      { label: 'Decided', cell: (c) => (c.decided_at ? h('div', {}, when(c.decided_at),
        h('div', { class: 'muted' }, [c.decided_by, c.decision_reason].filter(Boolean).join(': '))) : '—') },
    ], settled, { empty: 'No change was asked of this order.' }) : null,
    h('h2', {}, 'Returns'),
    returns.length ? returns.map((r) => returnCard(ctx, r, locations, again)) : empty('This order has no returns.'),
    ctx.atLeast('supervisor') && returnable.length ? authorizeForm(o, returnable, again) : null,
  ];
}

function changeCard(ctx, c, again) {
  const card = h('div', { class: 'card' },
    cardTitle(c.summary, ' ', changeBadge(c.state)),
    h('dl', { class: 'kv' },
      kv('Change', link(here(c.id), c.id)),
      kv('Order', link(here(c.order_id), c.order_id)),
      kv('Kind', words(c.kind)),
      kv('Why', c.reason || '—'),
      kv('Asked', `${fmtTime(c.requested_at)} by ${c.requested_by}`),
      c.state === 'requested' ? kv('Answer due', due(c.due_at)) : null,
      c.decided_at ? kv('Decided', `${fmtTime(c.decided_at)} by ${c.decided_by}`) : null,
      c.decision_reason ? kv('Decision', c.decision_reason) : null,
      c.fulfillments.length ? kv('Fulfillments asked', c.fulfillments.join(', ')) : null,
      c.hold_id ? kv('Hold', link(holdHref(c.order_id, c.hold_id), c.hold_id)) : null));
  if (c.state === 'requested' && ctx.atLeast('supervisor')) card.append(decideForm(c, again));
  return card;
}

// Answer a change request for the warehouse (say, when it phoned).
function decideForm(c, again) {
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 255, placeholder: 'already picked and packed' });
  const form = h('form', { class: 'narrow', on: { submit: (ev) => ev.preventDefault() } },
    h('p', { class: 'muted' }, 'Answer for the warehouse: accepting makes the change now; '
      + 'refusing leaves the order as it was and holds it for a person.'),
    field('Reason (required to refuse)', reason, 'reason'),
    h('div', { class: 'form-error', role: 'alert' }));
  const decide = (verb) => submitForm(form, () => {
    const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
    return api('POST', `/v1/change-requests/${enc(c.id)}/${verb}`, body);
  }, async () => {
    toast(verb === 'accept' ? 'The change is accepted and made.' : 'The change is refused; the order is on hold.');
    await again();
  });
  form.append(h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'primary', on: { click: () => decide('accept') } }, 'Accept the change'),
    h('button', { type: 'button', class: 'danger', on: { click: () => decide('refuse') } }, 'Refuse')));
  return form;
}

function returnCard(ctx, r, locations, again) {
  const card = h('div', { class: 'card' },
    cardTitle(link(here(r.id), `Return ${r.id}`), ' ', returnBadge(r)),
    h('dl', { class: 'kv' },
      kv('Order', link(here(r.order_id), r.order_id)),
      kv('Reason', words(r.reason) + (r.note ? ` – ${r.note}` : '')),
      kv('Authorised', `${fmtTime(r.created_at)} by ${r.created_by}`),
      r.received_at ? kv('Received', fmtTime(r.received_at)) : null,
      r.refunded_at ? kv('Refunded', `${r.refund_amount} ${r.currency} on ${fmtTime(r.refunded_at)} by ${r.refunded_by}`
        + (r.refund_reference ? ` (${r.refund_reference})` : '')) : null,
      r.defect_id ? kv('Defect', r.defect_id) : null),
    h('div', { class: 'below' }, table([
      { label: 'Line', class: 'num', cell: (l) => String(l.line_no) },
      { label: 'SKU', cell: (l) => nowrap(link(`#/stock/${enc(l.sku)}`, l.sku)) },
      { label: 'Authorised', class: 'num', cell: (l) => String(l.quantity) },
      { label: 'Received', class: 'num', cell: (l) => String(l.received) },
      { label: 'Restocked', class: 'num', cell: (l) => String(l.restocked) },
      { label: 'To come', class: 'num', cell: (l) => String(stillToCome(l)) },
    ], r.lines)));
  if (ctx.atLeast('supervisor')) {
    const forms = [toReceive(r) ? receiveForm(r, locations, again) : null,
      r.state !== 'refunded' ? refundForm(r, again) : null].filter(Boolean);
    if (forms.length) card.append(h('div', { class: 'grid' }, forms));
  }
  return card;
}

function receiveForm(r, locations, again) {
  const open = r.lines.filter((l) => stillToCome(l) > 0);
  const lines = lineInputs(open, stillToCome, stillToCome);
  const restock = h('input', { type: 'checkbox', name: 'restock', checked: true });
  const where = h('select', { name: 'location' },
    locations.map((l) => h('option', { value: l.code }, `${l.code} – ${l.name}`)));
  const whereField = field('Put back at', where, 'location');
  restock.addEventListener('change', () => { whereField.hidden = !restock.checked; });
  const form = h('form', { class: 'narrow' },
    h('h3', {}, 'Receive'),
    h('p', { class: 'muted' }, 'Units back from the customer. Units put back into stock are offered to waiting orders.'),
    lines.fields,
    h('div', { class: 'field', dataset: { field: 'restock' } },
      h('label', {}, restock, ' Put the units back into stock'), h('div', { class: 'field-error', role: 'alert' })),
    whereField,
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Receive'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitForm(form, () => {
      const body = { lines: lines.collect(), restock: restock.checked };
      if (restock.checked) body.location = where.value;
      return api('POST', `/v1/returns/${enc(r.id)}/receive`, body);
    }, async (x) => {
      toast(`Return ${x.id}: ${words(x.state)}.`);
      await again();
    });
  });
  return form;
}

function refundForm(r, again) {
  const amount = h('input', { type: 'text', inputmode: 'decimal', name: 'amount', autocomplete: 'off', placeholder: '14.00' });
  const reference = h('input', { type: 'text', name: 'reference', maxlength: 128, placeholder: 'RF-20001' });
  const form = h('form', { class: 'narrow' },
    h('h3', {}, 'Record a refund'),
    h('p', { class: 'muted' }, 'A refund made in the payment system; ordo moves no money.'),
    field(`Amount (${r.currency})`, amount, 'amount'),
    field('Reference', reference, 'reference'),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Record refund'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitForm(form, () => {
      const body = { amount: amount.value.trim() };
      if (reference.value.trim()) body.reference = reference.value.trim();
      return api('POST', `/v1/returns/${enc(r.id)}/refund`, body);
    }, async (x) => {
      toast(`Refund of ${x.refund_amount} ${x.currency} recorded.`);
      await again();
    });
  });
  return form;
}

function authorizeForm(o, returnable, again) {
  const lines = lineInputs(returnable, (l) => l.shipped - l.returned, () => 0);
  const reason = h('select', { name: 'reason' }, RETURN_REASONS.map((x) => h('option', { value: x }, words(x))));
  const note = h('input', { type: 'text', name: 'note', maxlength: 255, placeholder: 'arrived cracked' });
  const form = h('form', { class: 'card narrow' },
    cardTitle('Authorise a return'),
    h('p', { class: 'muted' }, 'Units that shipped and are not under a return yet. '
      + 'Wrong or missing items also record a defect on the order.'),
    lines.fields,
    field('Reason', reason, 'reason'),
    field('Note', note, 'note'),
    h('div', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'primary' }, 'Authorise return'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitForm(form, () => {
      const body = { lines: lines.collect(), reason: reason.value };
      if (note.value.trim()) body.note = note.value.trim();
      return api('POST', `/v1/orders/${enc(o.id)}/returns`, body);
    }, async (x) => {
      toast(`Return ${x.id} authorised.`);
      await again();
    });
  });
  return form;
}
