// orders.js - #/orders: one search box (q) and filters over the tenant's
// orders, a page at a time; #/orders/ID: one order with everything that
// happened to it.

import { api, withQuery } from './api.js';
import { h, fill, table, field, errorBox, fmtTime, money, link, pager, newPaging, toast, showFormErrors } from './ui.js';
import { orderFacts, holdsTable, timeline, stateBadge } from './order_view.js';

const STATES = ['received', 'validated', 'on_hold', 'accepted', 'allocated', 'released', 'shipped', 'delivered',
  'closed', 'rejected', 'cancelled'];
const PAGE = 25;

export async function render(ctx, main, args) {
  if (args.parts[0]) return renderOrder(ctx, main, args.parts[0]);
  return renderList(ctx, main, args.query);
}

// ---- the list ---------------------------------------------------------------

async function renderList(ctx, main, query) {
  const f = {
    q: query.get('q') || '', state: query.get('state') || '', channel: query.get('channel') || '',
    hold_type: query.get('hold_type') || '',
  };
  const q = h('input', { type: 'search', name: 'q', value: f.q, placeholder: 'name, email, phone, ZIP, order id, SKU, tracking…', size: 40 });
  const state = h('select', { name: 'state' }, h('option', { value: '' }, 'any state'),
    STATES.map((s) => h('option', { value: s, selected: s === f.state }, s.replace(/_/g, ' '))));
  const channel = h('input', { type: 'text', name: 'channel', value: f.channel, size: 12 });
  const holdType = h('input', { type: 'text', name: 'hold_type', value: f.hold_type, size: 16, placeholder: 'e.g. unknown_sku' });
  const form = h('form', { class: 'filters', role: 'search', on: { submit: (ev) => {
    ev.preventDefault();
    ctx.go(withQuery('#/orders', { q: q.value.trim(), state: state.value, channel: channel.value.trim(), hold_type: holdType.value.trim() }));
  } } },
  field('Search', q, 'q'), field('State', state, 'state'), field('Channel', channel, 'channel'),
  field('Open hold of type', holdType, 'hold_type'),
  h('button', { type: 'submit', class: 'primary' }, 'Search'),
  h('div', { class: 'form-error', role: 'alert' }));
  const results = h('div', { 'aria-live': 'polite' });
  const paging = newPaging();

  async function load() {
    try {
      const r = await api('GET', withQuery('/v1/orders', { ...f, limit: PAGE, cursor: paging.cursor }));
      paging.next = r.next_cursor;
      showFormErrors(form, null);
      fill(results,
        table([
          { label: 'Order', cell: (o) => link(`#/orders/${encodeURIComponent(o.id)}`, o.external_id || o.id) },
          { label: 'Channel', cell: (o) => o.channel },
          { label: 'State', cell: (o) => stateBadge(o.state) },
          { label: 'Customer', cell: (o) => (o.customer && o.customer.name) || '' },
          { label: 'Ship to', cell: (o) => o.ship_to ? `${o.ship_to.city}, ${o.ship_to.region} ${o.ship_to.postal_code}` : '' },
          { label: 'Total', class: 'num', cell: (o) => money(o.totals && o.totals.total, o.currency) },
          { label: 'Received', cell: (o) => fmtTime(o.received_at) },
        ], r.orders, { empty: f.q || f.state || f.channel || f.hold_type ? 'No orders match.' : 'No orders yet.' }),
        pager(paging, load));
    } catch (err) {
      showFormErrors(form, err);
      fill(results, err.details && err.details.length ? null : errorBox(err));
    }
  }
  main.append(h('h1', {}, 'Orders'), form, results);
  await load();
}

// ---- one order --------------------------------------------------------------

async function renderOrder(ctx, main, id) {
  const path = `/v1/orders/${encodeURIComponent(id)}`;
  const [o, events, changes, returns] = await Promise.all([
    api('GET', path),
    api('GET', `${path}/events`),
    api('GET', `${path}/changes`).catch((e) => e),
    api('GET', `${path}/returns`).catch((e) => e),
  ]);
  const list = (x, key) => (x instanceof Error ? null : x[key] || []);
  main.append(
    h('h1', {}, `Order ${o.external_id || o.id} `, stateBadge(o.state)),
    h('section', { class: 'card' }, orderFacts(o, [])),
    h('section', { class: 'card' }, h('h2', {}, 'Holds'), holdsTable(o.holds, o.id)),
    h('section', { class: 'card' }, h('h2', {}, 'Fulfillments'), table([
      { label: 'Fulfillment', cell: (x) => x.id },
      { label: 'Location', cell: (x) => x.location },
      { label: 'State', cell: (x) => x.state },
      { label: 'Lines', cell: (x) => x.lines.map((l) => `${l.sku} × ${l.quantity} (${l.shipped} shipped)`).join(', ') },
      { label: 'Released', cell: (x) => fmtTime(x.released_at) },
      { label: 'Rejected', cell: (x) => x.reject_reason ? `${x.reject_reason}: ${x.reject_message || ''}` : '' },
    ], o.fulfillments || [], { empty: 'No fulfillments yet.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Shipments'), table([
      { label: 'Carrier', cell: (x) => x.carrier },
      { label: 'Tracking', cell: (x) => x.tracking_number },
      { label: 'From', cell: (x) => x.location },
      { label: 'Lines', cell: (x) => x.lines.map((l) => `${l.sku} × ${l.quantity}`).join(', ') },
      { label: 'Shipped', cell: (x) => fmtTime(x.shipped_at) },
      { label: 'Delivered', cell: (x) => fmtTime(x.delivered_at) },
    ], o.shipments || [], { empty: 'No shipments yet.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Changes'), changes instanceof Error ? errorBox(changes) : table([
      { label: 'Asked', cell: (x) => fmtTime(x.requested_at) },
      { label: 'Change', cell: (x) => x.summary || x.kind },
      { label: 'State', cell: (x) => x.state },
      { label: 'Reason', cell: (x) => x.reason || '' },
      { label: 'By', cell: (x) => x.requested_by || '' },
      { label: 'Decided', cell: (x) => x.decided_at ? `${x.decided_by || ''}: ${x.decision_reason || ''}` : '' },
    ], list(changes, 'changes'), { empty: 'No changes asked for.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Returns'), returns instanceof Error ? errorBox(returns) : table([
      { label: 'Return', cell: (x) => x.id },
      { label: 'State', cell: (x) => x.state },
      { label: 'Lines', cell: (x) => (x.lines || []).map((l) => `${l.sku || l.line_no} × ${l.quantity}`).join(', ') },
      { label: 'Reason', cell: (x) => x.reason + (x.note ? `: ${x.note}` : '') },
      { label: 'Authorized', cell: (x) => `${fmtTime(x.created_at)} (${x.created_by || ''})` },
    ], list(returns, 'returns'), { empty: 'No returns.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Defects'), table([
      { label: 'Type', cell: (x) => x.type.replace(/_/g, ' ') },
      { label: 'Found by', cell: (x) => x.found_by || '' },
      { label: 'Note', cell: (x) => x.note || '' },
      { label: 'Reported', cell: (x) => `${fmtTime(x.created_at)} (${x.reported_by || ''})` },
    ], o.defects || [], { empty: 'No defects recorded.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Timeline'), timeline(events.events || []),
      ctx.atLeast('agent') ? noteForm(o.id, null) : null));
}

// A note on the order's timeline (people who work the orders).
export function noteForm(orderId, holdId) {
  const text = h('textarea', { name: 'text', rows: 2, maxlength: 255, required: true });
  const form = h('form', { class: 'note-form', on: { submit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', `/v1/orders/${encodeURIComponent(orderId)}/notes`,
        holdId ? { text: text.value, hold_id: holdId } : { text: text.value });
      toast('Note added');
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) { showFormErrors(form, err); }
  } } }, field('Add a note', text, 'text'), h('div', { class: 'form-error', role: 'alert' }),
  h('button', { type: 'submit' }, 'Add note'));
  return form;
}
