// hold.js - #/holds/ORDER/HOLD: one hold and what a person needs to
// decide it: the order with the fields at fault highlighted, the rule and
// policy version that raised it, past holds like it and how they ended
// (for a duplicate suspect, the other order side by side), the timeline,
// and the actions, each with its reason.

import { api, withQuery } from './api.js';
import { h, table, field, errorBox, fmtTime, fmtAge, link, badge, toast, showFormErrors } from './ui.js';
import { orderFacts, timeline, stateBadge } from './order_view.js';
import { noteForm } from './orders.js';

export async function render(ctx, main, args) {
  const [orderId, holdId] = args.parts;
  if (!orderId || !holdId) {
    main.append(h('h1', {}, 'Hold'), errorBox(new Error('open a hold from the review queue')));
    return;
  }
  const opts = args.query.get('tenant') ? { tenant: args.query.get('tenant') } : {};
  const path = `/v1/orders/${encodeURIComponent(orderId)}`;
  const [o, events] = await Promise.all([api('GET', path, undefined, opts), api('GET', `${path}/events`, undefined, opts)]);
  const hold = (o.holds || []).find((x) => x.id === holdId);
  if (!hold) {
    main.append(h('h1', {}, 'Hold'), errorBox(new Error(`order ${o.external_id} has no hold ${holdId}`)));
    return;
  }
  const [related, past] = await Promise.all([
    hold.related_order_id ? api('GET', `/v1/orders/${encodeURIComponent(hold.related_order_id)}`, undefined, opts).catch((e) => e) : null,
    api('GET', withQuery('/v1/holds', hold.rule_id ? { rule_id: hold.rule_id, limit: 10 } : { type: hold.type, limit: 10 }), undefined, opts)
      .catch((e) => e),
  ]);
  const me = `user:${ctx.session.user.email}`;
  const open = hold.status === 'open';
  const live = hold.assignee && hold.claimed_until && Date.parse(hold.claimed_until) > Date.now();
  const mine = live && hold.assignee === me;

  main.append(
    h('h1', {}, `${hold.type.replace(/_/g, ' ')} on ${o.external_id || o.id} `, stateBadge(o.state)),
    h('section', { class: 'card hold-facts' },
      h('dl', { class: 'kv' },
        h('dt', {}, 'status'), h('dd', {}, badge(hold.status, open ? 'warn' : 'ok'), hold.escalated ? [' ', badge('escalated', 'warn')] : null),
        h('dt', {}, 'why'), h('dd', { class: 'hold-message' }, hold.message),
        hold.field ? [h('dt', {}, 'field'), h('dd', {}, h('span', { class: 'problem' }, hold.field))] : null,
        h('dt', {}, 'raised by'), h('dd', {}, hold.raised_by),
        h('dt', {}, 'rule'), h('dd', {}, hold.rule_id ? link('#/rules', hold.rule_id) : '—'),
        h('dt', {}, 'policy version'), h('dd', {}, hold.policy_version === null || hold.policy_version === undefined ? '—' : String(hold.policy_version)),
        h('dt', {}, 'priority'), h('dd', {}, String(hold.priority)),
        h('dt', {}, 'raised'), h('dd', {}, `${fmtTime(hold.created_at)} (${fmtAge((Date.now() - Date.parse(hold.created_at)) / 1000)} ago)`),
        h('dt', {}, 'due'), h('dd', {}, fmtTime(hold.due_at), open && Date.parse(hold.due_at) < Date.now() ? [' ', badge('overdue', 'bad')] : null),
        h('dt', {}, 'claimed by'), h('dd', {}, live ? `${hold.assignee} until ${fmtTime(hold.claimed_until)}` : 'nobody'),
        !open ? [h('dt', {}, 'resolution'), h('dd', {}, `${hold.resolution}: ${hold.resolution_reason || ''} (${hold.resolved_by || ''}, ${fmtTime(hold.resolved_at)})`)] : null)),
    open && ctx.atLeast('agent') ? actions(ctx, o, hold, { mine, live, opts }) : null,
    hold.related_order_id
      ? h('section', { class: 'card' }, h('h2', {}, 'This order and the one it may duplicate'),
        h('div', { class: 'side' },
          h('div', {}, h('h3', {}, 'This order'), orderFacts(o, [hold.field])),
          h('div', { class: 'related' }, h('h3', {}, 'The other order'), related instanceof Error ? errorBox(related) : orderFacts(related, []))))
      : h('section', { class: 'card' }, h('h2', {}, 'The order'), orderFacts(o, [hold.field])),
    h('section', { class: 'card' }, h('h2', {}, hold.rule_id ? `Past holds of rule ${hold.rule_id}` : `Past ${hold.type.replace(/_/g, ' ')} holds`),
      past instanceof Error ? errorBox(past) : table([
        { label: 'Order', cell: (x) => link(`#/orders/${encodeURIComponent(x.order_id)}`, x.order_id) },
        { label: 'Raised', cell: (x) => fmtTime(x.created_at) },
        { label: 'Status', cell: (x) => x.status },
        { label: 'Ended', cell: (x) => x.resolution ? `${x.resolution}: ${x.resolution_reason || ''}` : '' },
        { label: 'By', cell: (x) => x.resolved_by || '' },
      ], (past.holds || []).filter((x) => x.id !== hold.id), { empty: 'No other holds like this one yet.' })),
    h('section', { class: 'card' }, h('h2', {}, 'Timeline'), timeline(events.events || []),
      ctx.atLeast('agent') ? noteForm(o.id, hold.id) : null));
}

// Claim, and the resolve form: approve, correct (the field at fault),
// escalate, and for supervisors cancel the order; a reason every time.
function actions(ctx, o, hold, st) {
  const section = h('section', { class: 'card resolve' }, h('h2', {}, 'Decide'));
  const holdPath = `/v1/holds/${encodeURIComponent(hold.id)}`;
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  if (st.live && !st.mine) {
    section.append(h('p', { class: 'muted' }, `${hold.assignee} is working on this hold.`));
    if (!ctx.atLeast('supervisor')) return section;
  }
  if (!st.mine) {
    section.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', on: { click: async (ev) => {
      ev.target.disabled = true;
      try { await api('POST', `${holdPath}/claim`, {}, st.opts); toast('Claimed'); reload(); } catch (err) {
        section.append(errorBox(err)); ev.target.disabled = false;
      }
    } } }, 'Claim')));
  } else {
    section.append(h('div', { class: 'actions' }, h('button', { type: 'button', on: { click: async () => {
      try { await api('POST', `${holdPath}/release`, {}, st.opts); toast('Released to the queue'); reload(); } catch (err) { section.append(errorBox(err)); }
    } } }, 'Release claim')));
  }
  const choices = [['approve', 'Approve'], ['correct', 'Correct'], ['escalate', 'Escalate']];
  if (ctx.atLeast('supervisor')) choices.push(['cancel_order', 'Cancel the order']);
  const action = h('select', { name: 'action' }, choices.map(([v, t]) => h('option', { value: v }, t)));
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 255, required: true, class: 'wide' });
  const [group, key] = splitField(hold.field);
  const current = group && o[group] && key in o[group] ? o[group][key] : '';
  const fix = h('input', { type: 'text', name: 'fix', value: current === null ? '' : String(current) });
  const more = h('textarea', { name: 'changes', rows: 3, placeholder: '{"ship_to": {"postal_code": "07102"}}' });
  const correctBox = h('div', { class: 'correct', hidden: true },
    group ? field(`New ${hold.field}`, fix, `changes.${hold.field}`) : null,
    field('Changes (JSON, as OrderChanges)', more, 'changes'));
  action.addEventListener('change', () => { correctBox.hidden = action.value !== 'correct'; });
  const form = h('form', { on: { submit: async (ev) => {
    ev.preventDefault();
    const body = { action: action.value, reason: reason.value.trim() };
    if (action.value === 'correct') {
      let changes = {};
      if (more.value.trim()) {
        try { changes = JSON.parse(more.value); } catch (e) {
          showFormErrors(form, { message: 'the changes are not JSON', details: [{ field: 'changes', message: `not JSON: ${e.message}` }] });
          return;
        }
      }
      if (group && fix.value !== String(current ?? '')) changes[group] = { ...(changes[group] || {}), [key]: fix.value };
      body.changes = changes;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      await api('POST', `${holdPath}/resolve`, body, st.opts);
      toast(`Hold ${action.value === 'escalate' ? 'escalated' : 'resolved'}`);
      ctx.go(withQuery('#/queue', {}));
    } catch (err) {
      showFormErrors(form, err);
      btn.disabled = false;
    }
  } } },
  h('div', { class: 'filters' }, field('Action', action, 'action'), field('Reason (required)', reason, 'reason')),
  correctBox,
  h('div', { class: 'form-error', role: 'alert' }),
  h('button', { type: 'submit', class: 'primary' }, 'Resolve'));
  section.append(form);
  return section;
}

// "ship_to.postal_code" -> ["ship_to", "postal_code"] for the parts a
// person can correct in one field; anything else -> [null, null].
function splitField(f) {
  const m = /^(ship_to|bill_to|customer)\.([a-z_0-9]+)$/.exec(f || '');
  return m ? [m[1], m[2]] : [null, null];
}
