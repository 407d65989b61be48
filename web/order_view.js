// order_view.js - an order as the order page and a hold's page show it:
// its facts, its lines with their quantities by state, and the parts that
// go with it. The fields a hold names are highlighted (.problem).

import { h, table, fmtTime, money, badge, link } from './ui.js';

// The dotted path a hold names ("ship_to.postal_code", "lines[1].sku")
// as the keys the view marks its values with.
function marks(fields) {
  return new Set((fields || []).filter(Boolean).map((f) => f.replace(/\[(\d+)\]/g, '.$1')));
}

function val(markSet, path, text) {
  const shown = text === '' || text === null || text === undefined ? '—' : String(text);
  return markSet.has(path) ? h('span', { class: 'problem', title: 'the hold names this field' }, shown) : shown;
}

function party(title, p, prefix, m) {
  if (!p) return null;
  const rows = Object.entries(p).map(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, val(m, `${prefix}.${k}`, v))]);
  return h('div', {}, h('h3', {}, title), h('dl', { class: 'kv' }, rows));
}

export function stateBadge(state) {
  const kind = { on_hold: 'warn', cancelled: 'bad', delivered: 'ok', closed: 'ok', shipped: 'ok' }[state];
  return badge(state.replace(/_/g, ' '), kind);
}

// The order's facts and lines; fields: the hold fields to highlight.
export function orderFacts(o, fields) {
  const m = marks(fields);
  return h('div', { class: 'order-facts' },
    h('dl', { class: 'kv' },
      h('dt', {}, 'order'), h('dd', {}, link(`#/orders/${encodeURIComponent(o.id)}`, o.id)),
      h('dt', {}, 'external id'), h('dd', {}, val(m, 'external_id', o.external_id)),
      h('dt', {}, 'channel'), h('dd', {}, o.channel),
      h('dt', {}, 'state'), h('dd', {}, stateBadge(o.state)),
      h('dt', {}, 'received'), h('dd', {}, fmtTime(o.received_at)),
      h('dt', {}, 'placed'), h('dd', {}, val(m, 'placed_at', fmtTime(o.placed_at))),
      h('dt', {}, 'payment'), h('dd', {}, val(m, 'payment_status', o.payment_status)),
      h('dt', {}, 'shipping'), h('dd', {}, val(m, 'shipping.method', o.shipping && o.shipping.method)),
      h('dt', {}, 'total'), h('dd', {}, val(m, 'totals.total', money(o.totals && o.totals.total, o.currency))),
      o.notes ? [h('dt', {}, 'notes'), h('dd', {}, o.notes)] : null),
    h('div', { class: 'grid' },
      party('Customer', o.customer, 'customer', m),
      party('Ship to', o.ship_to, 'ship_to', m),
      party('Bill to', o.bill_to, 'bill_to', m)),
    h('h3', {}, 'Lines'),
    table([
      { label: '#', cell: (l) => String(l.line_no) },
      { label: 'SKU', cell: (l) => val(m, `lines.${l.line_no}.sku`, l.sku) },
      { label: 'Title', cell: (l) => l.title || '' },
      { label: 'Qty', class: 'num', cell: (l) => val(m, `lines.${l.line_no}.quantity`, l.quantity) },
      { label: 'Unit price', class: 'num', cell: (l) => val(m, `lines.${l.line_no}.unit_price`, l.unit_price) },
      { label: 'Open', class: 'num', cell: (l) => String(l.open) },
      { label: 'Allocated', class: 'num', cell: (l) => String(l.allocated) },
      { label: 'Released', class: 'num', cell: (l) => String(l.released) },
      { label: 'Shipped', class: 'num', cell: (l) => String(l.shipped) },
      { label: 'Cancelled', class: 'num', cell: (l) => String(l.cancelled) },
      { label: 'Returned', class: 'num', cell: (l) => String(l.returned) },
    ], o.lines || [], { empty: 'No lines.' }));
}

export function holdsTable(holds, orderId) {
  return table([
    { label: 'Hold', cell: (x) => link(`#/holds/${encodeURIComponent(orderId)}/${encodeURIComponent(x.id)}`, x.type.replace(/_/g, ' ')) },
    { label: 'Status', cell: (x) => badge(x.status, x.status === 'open' ? 'warn' : 'ok') },
    { label: 'Why', cell: (x) => x.message },
    { label: 'Raised by', cell: (x) => x.raised_by },
    { label: 'Resolution', cell: (x) => x.resolution ? `${x.resolution}: ${x.resolution_reason || ''} (${x.resolved_by || ''})` : '' },
  ], holds || [], { empty: 'No holds.' });
}

// The timeline: who did what, oldest first.
export function timeline(events) {
  if (!events.length) return h('p', { class: 'empty' }, 'Nothing has happened to this order yet.');
  return h('ol', { class: 'timeline' }, events.map((e) => h('li', {},
    h('span', { class: 'when' }, fmtTime(e.at)),
    h('span', { class: 'actor' }, e.actor),
    h('span', {}, e.type.replace(/_/g, ' ')),
    e.from_state !== e.to_state ? h('span', { class: 'muted' }, ` ${e.from_state} → ${e.to_state}`) : null,
    e.message ? h('div', { class: 'muted' }, e.message) : null)));
}
