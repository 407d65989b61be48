// queue.js - #/queue: the open holds, the oldest due first, with filters;
// "n" (or the button) claims the next one nobody else holds and opens it.
// A person serving several tenants may read all their queues at once.

import { api, withQuery } from './api.js';
import { h, fill, table, field, errorBox, fmtAge, fmtTime, money, link, badge, pager, newPaging, toast, showFormErrors } from './ui.js';

export const HOLD_TYPES = ['missing_data', 'invalid_data', 'address_unverifiable', 'missing_contact', 'unknown_sku',
  'inactive_sku', 'price_mismatch', 'totals_mismatch', 'duplicate_suspect', 'payment_unverified', 'high_value',
  'risky_order', 'insufficient_stock', 'shipping_conflict', 'policy_exception', 'change_after_release'];
const PAGE = 25;

export function holdHref(item) {
  return `#/holds/${encodeURIComponent(item.order.id)}/${encodeURIComponent(item.hold.id)}`;
}

let keyHandler = null;

export async function render(ctx, main, args) {
  const me = `user:${ctx.session.user.email}`;
  const q = args.query;
  const f = {
    type: q.get('type') || '', priority: q.get('priority') || '', assignee: q.get('assignee') || '',
    escalated: q.get('escalated') || '', all: q.get('all') === '1',
  };
  const several = ctx.tenants.filter((t) => t.role !== 'integration').length > 1;
  const type = h('select', { name: 'type' }, h('option', { value: '' }, 'any type'),
    HOLD_TYPES.map((t) => h('option', { value: t, selected: t === f.type }, t.replace(/_/g, ' '))));
  const priority = h('select', { name: 'priority' }, h('option', { value: '' }, 'any'),
    [1, 2, 3, 4, 5].map((p) => h('option', { value: String(p), selected: String(p) === f.priority }, String(p))));
  const assignee = h('select', { name: 'assignee' },
    h('option', { value: '' }, 'anyone or nobody'),
    h('option', { value: '-', selected: f.assignee === '-' }, 'nobody (unclaimed)'),
    h('option', { value: me, selected: f.assignee === me }, 'me'));
  const escalated = h('select', { name: 'escalated' }, h('option', { value: '' }, 'either'),
    h('option', { value: 'true', selected: f.escalated === 'true' }, 'escalated'),
    h('option', { value: 'false', selected: f.escalated === 'false' }, 'not escalated'));
  const all = several ? h('input', { type: 'checkbox', name: 'all', checked: f.all }) : null;
  const form = h('form', { class: 'filters', on: { change: () => form.requestSubmit(), submit: (ev) => {
    ev.preventDefault();
    ctx.go(withQuery('#/queue', { type: type.value, priority: priority.value, assignee: assignee.value,
      escalated: escalated.value, all: all && all.checked ? '1' : '' }));
  } } },
  field('Type', type, 'type'), field('Priority', priority, 'priority'), field('Claimed by', assignee, 'assignee'),
  field('Escalated', escalated, 'escalated'), all ? field('All my tenants', all) : null,
  h('div', { class: 'form-error', role: 'alert' }));

  const status = h('div', { class: 'error', role: 'alert' });
  const canWork = ctx.atLeast('agent');
  const claimNext = canWork
    ? h('button', { type: 'button', class: 'primary', on: { click: () => takeNext() } }, 'Claim next ', h('kbd', {}, 'n'))
    : null;
  const results = h('div', { 'aria-live': 'polite' });
  const paging = newPaging();
  let items = [];
  const opts = f.all ? { tenant: '*' } : {};

  async function load() {
    try {
      const r = await api('GET', withQuery('/v1/queue', {
        type: f.type, priority: f.priority, assignee: f.assignee, escalated: f.escalated, limit: PAGE, cursor: paging.cursor,
      }), undefined, opts);
      items = r.items;
      paging.next = r.next_cursor;
      fill(results, table([
        { label: 'Due', cell: (x) => h('span', {}, fmtTime(x.hold.due_at), x.overdue ? [' ', badge('overdue', 'bad')] : null) },
        { label: 'Hold', cell: (x) => link(holdHref(x), x.hold.type.replace(/_/g, ' ')) },
        { label: 'P', class: 'num', cell: (x) => String(x.hold.priority) },
        f.all ? { label: 'Tenant', cell: (x) => x.tenant } : null,
        { label: 'Order', cell: (x) => x.order.external_id },
        { label: 'Customer', cell: (x) => x.order.customer_name || '' },
        { label: 'Total', class: 'num', cell: (x) => money(x.order.total, x.order.currency) },
        { label: 'Age', class: 'num', cell: (x) => fmtAge(x.age_s) },
        { label: 'Claimed by', cell: (x) => claimedBy(x.hold) },
        { label: 'Why', cell: (x) => h('span', {}, x.hold.escalated ? [badge('escalated', 'warn'), ' '] : null, x.hold.message) },
      ].filter(Boolean), items, {
        empty: 'Nothing is waiting. The queue is empty.',
        rowData: (x) => ({ hold: x.hold.id }),
      }), pager(paging, load));
      results.querySelectorAll('tbody tr').forEach((tr, i) => { if (items[i] && items[i].overdue) tr.classList.add('overdue'); });
      showFormErrors(form, null);
    } catch (err) {
      showFormErrors(form, err);
      fill(results, errorBox(err));
    }
  }

  // Claim the first hold on this page that nobody else holds, and open it.
  async function takeNext() {
    status.textContent = '';
    const now = Date.now();
    const free = items.filter((x) => !x.hold.assignee || x.hold.assignee === me ||
      (x.hold.claimed_until && Date.parse(x.hold.claimed_until) < now));
    for (const x of free) {
      try {
        await api('POST', `/v1/holds/${encodeURIComponent(x.hold.id)}/claim`, {}, x.tenant && f.all ? { tenant: x.tenant } : {});
        toast(`Claimed ${x.hold.type.replace(/_/g, ' ')} on ${x.order.external_id}`);
        ctx.go(holdHref(x) + (f.all && x.tenant ? `?tenant=${encodeURIComponent(x.tenant)}` : ''));
        return;
      } catch (err) {
        if (err.status !== 409) { status.textContent = err.message; return; }
      }
    }
    status.textContent = items.length ? 'Every hold on this page is claimed by someone else.' : 'Nothing is waiting.';
  }

  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = (ev) => {
    if (!document.body.contains(results)) { document.removeEventListener('keydown', keyHandler); keyHandler = null; return; }
    const t = ev.target;
    if (ev.key !== 'n' || ev.ctrlKey || ev.metaKey || ev.altKey || !canWork ||
      (t && ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    ev.preventDefault();
    takeNext();
  };
  document.addEventListener('keydown', keyHandler);

  main.append(h('h1', {}, 'Review queue'), form, h('div', { class: 'actions' }, claimNext), status, results);
  await load();
}

function claimedBy(hold) {
  if (!hold.assignee) return '';
  const live = hold.claimed_until && Date.parse(hold.claimed_until) > Date.now();
  return live ? hold.assignee : `${hold.assignee} (lapsed)`;
}
