// rules.js - #/rules: the review policy in force, an editor for a
// candidate with the server's refusals shown on the rule and part at
// fault, the simulation of the candidate beside the policy in force, and
// the evidence of which holds are safe to automate, each one click from
// simulating the change it suggests.

import { api } from './api.js';
import { h, fill, table, field, errorBox, fmtPct, fmtTime, toast, showFormErrors, button } from './ui.js';
import { HOLD_TYPES } from './queue.js';

export async function render(ctx, main) {
  const [policy, automation] = await Promise.all([
    api('GET', '/v1/policy'),
    api('GET', '/v1/metrics/automation').catch((e) => e),
  ]);
  let rules = clone(policy.rules);
  const canSimulate = ctx.atLeast('agent');
  const canSave = ctx.atLeast('supervisor');

  const editor = h('div', { class: 'rules-editor' });
  const simResult = h('div', { class: 'simulation', 'aria-live': 'polite' });
  const from = h('input', { type: 'date', name: 'from' });
  const to = h('input', { type: 'date', name: 'to' });
  const form = h('form', { on: { submit: (ev) => ev.preventDefault() } },
    editor,
    h('div', { class: 'form-error', role: 'alert' }),
    canSimulate ? h('div', { class: 'filters' },
      field('Simulate orders received from', from, 'from'), field('to (before)', to, 'to'),
      button('Simulate', () => simulate(), { class: 'sim-button' }),
      canSave ? button('Save as the new policy', () => save(), { class: 'primary save-button' }) : null,
      button('Start again from the policy in force', () => { rules = clone(policy.rules); draw(); fill(simResult); })) : null);

  function draw() {
    fill(editor, rules.length ? rules.map((r, i) => ruleRow(r, i)) : h('p', { class: 'empty' }, 'No rules: no order would be held by the policy.'),
      canSimulate ? button('Add a rule', () => { rules.push({ id: `rule-${rules.length + 1}`, when: '', then: { hold: 'policy_exception', priority: 3 } }); draw(); }) : null);
  }

  function ruleRow(r, i) {
    const ro = !canSimulate;
    const id = h('input', { type: 'text', value: r.id, size: 20, disabled: ro, on: { input: (e) => { r.id = e.target.value; } } });
    const when = h('textarea', { rows: 2, value: r.when, disabled: ro, on: { input: (e) => { r.when = e.target.value; } } });
    const isApprove = r.then === 'approve';
    const then = h('select', { disabled: ro, on: { change: (e) => {
      r.then = e.target.value === 'approve' ? 'approve' : { hold: e.target.value, priority: (r.then && r.then.priority) || 3 };
      draw();
    } } }, h('option', { value: 'approve', selected: isApprove }, 'approve (stop here)'),
    HOLD_TYPES.map((t) => h('option', { value: t, selected: !isApprove && r.then.hold === t }, `hold: ${t.replace(/_/g, ' ')}`)));
    const prio = isApprove ? null : h('select', { disabled: ro, on: { change: (e) => { r.then.priority = Number(e.target.value); } } },
      [1, 2, 3, 4, 5].map((p) => h('option', { value: String(p), selected: (r.then.priority || 3) === p }, String(p))));
    return h('fieldset', { class: 'card rule', dataset: { rule: String(i) } },
      h('legend', {}, `Rule ${i + 1}`),
      h('div', { class: 'filters' }, field('Id', id, `rules[${i}].id`), field('Then', then, `rules[${i}].then`),
        prio ? field('Priority', prio, `rules[${i}].then.priority`) : null,
        canSimulate ? h('div', { class: 'actions' },
          button('Up', () => { if (i > 0) { [rules[i - 1], rules[i]] = [rules[i], rules[i - 1]]; draw(); } }, { disabled: i === 0, 'aria-label': `Move rule ${i + 1} up` }),
          button('Down', () => { if (i < rules.length - 1) { [rules[i + 1], rules[i]] = [rules[i], rules[i + 1]]; draw(); } }, { disabled: i === rules.length - 1, 'aria-label': `Move rule ${i + 1} down` }),
          button('Remove', () => { rules.splice(i, 1); draw(); }, { class: 'danger', 'aria-label': `Remove rule ${i + 1}` })) : null),
      field('When', when, `rules[${i}].when`));
  }

  function range() {
    return { from: from.value ? `${from.value}T00:00:00Z` : undefined, to: to.value ? `${to.value}T00:00:00Z` : undefined };
  }

  async function simulate() {
    showFormErrors(form, null);
    fill(simResult, h('p', { class: 'muted' }, 'Simulating…'));
    try {
      const r = await api('POST', '/v1/policy/simulate', { policy: { rules }, ...range() });
      fill(simResult, simulation(r));
    } catch (err) {
      showFormErrors(form, err);
      fill(simResult, err.details.length ? null : errorBox(err));
    }
  }

  async function save() {
    showFormErrors(form, null);
    try {
      const saved = await api('PUT', '/v1/policy', { rules });
      toast(`Policy version ${saved.version} saved`);
      ctx.go('#/rules');
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) {
      showFormErrors(form, err);
    }
  }

  draw();
  main.append(
    h('h1', {}, 'Rules'),
    h('p', { class: 'muted policy-version' }, policy.version
      ? `Policy version ${policy.version}, saved ${fmtTime(policy.created_at)} by ${policy.created_by}.`
      : 'The built-in policy (version 0): nothing has been saved yet.'),
    h('p', { class: 'muted' }, canSave ? 'Edit the rules, simulate them over past orders, then save them as the new policy.'
      : canSimulate ? 'You may edit and simulate a candidate; a supervisor saves it.' : 'The policy in force.'),
    form,
    simResult,
    h('section', { class: 'card' }, h('h2', {}, 'Holds that may be safe to automate'),
      automation instanceof Error ? errorBox(automation) : evidence(automation, (p) => {
        rules = clone(p.rules);
        draw();
        simulate();
        editor.scrollIntoView({ behavior: 'smooth' });
      }, canSimulate)));
}

function clone(x) { return JSON.parse(JSON.stringify(x)); }

// The candidate beside the policy in force, over the same orders.
function simulation(r) {
  const sides = [['Candidate', r.candidate], [`In force (v${r.active_version})`, r.active]];
  const ruleIds = [...new Set([...Object.keys(r.candidate.by_rule || {}), ...Object.keys(r.active.by_rule || {})])];
  return h('section', { class: 'card' },
    h('h2', {}, `Simulated over ${r.orders} orders`),
    table([
      { label: '', cell: (s) => s[0] },
      { label: 'Orders held', class: 'num', cell: (s) => String(s[1].held) },
      { label: 'Share held', class: 'num', cell: (s) => fmtPct(s[1].share) },
      { label: 'Review hours', class: 'num', cell: (s) => String(s[1].review_hours) },
      { label: 'Bad orders caught', class: 'num', cell: (s) => String(s[1].defects_caught) },
      { label: 'Bad orders missed', class: 'num', cell: (s) => String(s[1].defects_missed) },
    ], sides, { class: 'sim-table' }),
    ruleIds.length ? table([
      { label: 'Rule', cell: (id) => id },
      { label: 'Candidate matches', class: 'num', cell: (id) => id in r.candidate.by_rule ? String(r.candidate.by_rule[id]) : '—' },
      { label: 'In force matches', class: 'num', cell: (id) => id in r.active.by_rule ? String(r.active.by_rule[id]) : '—' },
    ], ruleIds) : null);
}

// The automation evidence: each candidate change with its figures.
function evidence(a, onSimulate, canSimulate) {
  const c = a.candidates || {};
  const list = [...(c.stop_holding || []), ...(c.tighten || [])];
  return h('div', {},
    h('p', { class: 'muted' }, `Holds decided by people from ${fmtTime(a.from)} to ${fmtTime(a.to)}; a rule is named once at least ${a.thresholds.min_holds} of its holds were decided and ${fmtPct(a.thresholds.approved_unchanged_rate)} were approved unchanged.`),
    table([
      { label: 'Rule', cell: (x) => x.rule_id },
      { label: 'Holds decided', class: 'num', cell: (x) => String(x.holds_resolved) },
      { label: 'Approved unchanged', class: 'num', cell: (x) => fmtPct(x.approved_unchanged_rate) },
      { label: 'Passed, then defective', class: 'num', cell: (x) => fmtPct(x.passed_defect_rate) },
      { label: 'Review hours', class: 'num', cell: (x) => String(x.review_hours) },
      { label: 'Suggested change', cell: (x) => x.change },
      { label: '', cell: (x) => canSimulate && x.simulate ? button('Simulate this change', () => onSimulate(x.simulate.policy)) : '' },
    ], list, { empty: 'No rule has enough decided holds to suggest a change yet.' }),
    table([
      { label: 'Hold type', cell: (x) => x.type.replace(/_/g, ' ') },
      { label: 'Raised', class: 'num', cell: (x) => String(x.holds_raised) },
      { label: 'Decided', class: 'num', cell: (x) => String(x.holds_resolved) },
      { label: 'Approved unchanged', class: 'num', cell: (x) => fmtPct(x.approved_unchanged_rate) },
      { label: 'Passed, then defective', class: 'num', cell: (x) => fmtPct(x.passed_defect_rate) },
      { label: 'Review hours', class: 'num', cell: (x) => String(x.review_hours) },
    ], a.by_hold_type || [], { caption: 'By hold type', empty: 'No holds in this range.' }));
}
