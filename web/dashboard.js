// dashboard.js - the first page: what is late or at risk right now, then
// the tenant's figures over a chosen range of UTC days (today, 7, 30 or 90
// days): intake, backlog, exceptions by hold type, cycle time, on-time
// release, accuracy and rework. Every chart has its figures beside it as
// text (each marked data-figure="name"), so the numbers read without it.
//
// The page makes a fixed handful of calls, all at once: the summary and
// five series (read from rollups, as fast at 1,000,000 orders as at 10),
// one page of the review queue and one of the open alerts. A call that
// fails shows its error in its own card; the rest of the page still draws.

import uPlot from './vendor/uPlot.esm.js';
import { api, withQuery } from './api.js';
import { h, fill, errorBox, empty, field, link, badge, fmtPct, fmtMs, fmtAge, fmtTime } from './ui.js';

// days: how many UTC days, today included; bucket: the series' step.
const RANGES = [
  { key: 'today', label: 'Today', days: 1, bucket: 'hour' },
  { key: '7d', label: 'Last 7 days', days: 7, bucket: 'day' },
  { key: '30d', label: 'Last 30 days', days: 30, bucket: 'day' },
  { key: '90d', label: 'Last 90 days', days: 90, bucket: 'day' },
];
const DEFAULT_RANGE = '7d';

const QUEUE_PAGE = 100;   // queue items read (oldest due first) to count the late ones
const AT_RISK_S = 3600;   // due within this many seconds: at risk
const LISTED = 5;         // late holds and alerts named one by one
const DAY_MS = 86400e3;

// Open order states in the order an order passes through them.
const STATE_ORDER = ['on_hold', 'accepted', 'allocated', 'released'];
const COLORS = { blue: '#1d4ed8', orange: '#d97706', red: '#b91c1c', green: '#15803d' };

export async function render(ctx, main, args) {
  const now = new Date();
  const range = rangeOf(args.query.get('range'), now);

  const series = (metric) => api('GET', withQuery('/v1/metrics/series',
    { metric, bucket: range.bucket, from: range.from, to: range.to }));
  const results = await Promise.allSettled([
    api('GET', withQuery('/v1/metrics/summary', { from: range.from, to: range.to })),
    api('GET', withQuery('/v1/queue', { limit: QUEUE_PAGE })),
    api('GET', withQuery('/v1/alerts', { status: 'open', limit: LISTED })),
    series('orders_received'),
    series('received_to_released_ms'),
    series('on_time_release_rate'),
    series('accuracy'),
    series('rework_rate'),
  ]);
  // The session ended: let the router show the login instead of this page.
  const lost = results.find((r) => r.status === 'rejected' && r.reason && r.reason.status === 401);
  if (lost) throw lost.reason;
  // Each result as { ok, value } or { ok: false, error }.
  const [summary, queue, alerts, intake, cycle, onTime, accuracy, rework] = results.map((r) =>
    r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: r.reason });

  // Nothing received in the range: the range's cards say so instead of
  // drawing empty charts. Known from the summary, else from the intake.
  const received = summary.ok ? summary.value.orders_received
    : intake.ok ? sum(intake.value.points) : null;
  const noOrders = received === 0;

  fill(main,
    h('h1', {}, 'Dashboard'),
    rangePicker(ctx, range),
    attentionCard(summary, queue, alerts, now),
    h('div', { class: 'grid' },
      intakeCard(range, summary, intake, noOrders),
      backlogCard(summary),
      exceptionsCard(summary, noOrders),
      cycleCard(range, summary, cycle, intake, noOrders),
      onTimeCard(range, summary, onTime, noOrders),
      qualityCard(range, summary, accuracy, rework, noOrders)));
}

// ---- the range ------------------------------------------------------------

// The range named by key (or the default): whole UTC days ending with
// today, from midnight to now.
function rangeOf(key, now) {
  const r = RANGES.find((x) => x.key === key) || RANGES.find((x) => x.key === DEFAULT_RANGE);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = today - (r.days - 1) * DAY_MS;
  // Right at midnight "today" would be empty: the API wants to after from.
  const to = Math.max(now.getTime(), from + 1000);
  return { ...r, today, from: rfc3339(from), to: rfc3339(to) };
}

const rfc3339 = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

function rangePicker(ctx, range) {
  const select = h('select', { name: 'range', on: { change: (ev) => ctx.go(`#/?range=${ev.target.value}`) } },
    RANGES.map((r) => h('option', { value: r.key, selected: r.key === range.key }, r.label)));
  const first = Date.parse(range.from);
  const span = range.days === 1 ? day(first) : `${day(first)} to ${day(range.today)}`;
  return h('div', { class: 'filters' },
    field('Range', select, 'range'),
    h('p', { class: 'muted range-note' },
      `${span} (UTC), by ${range.bucket}. Backlog and late work are as they stand now.`));
}

// ---- late and at risk -------------------------------------------------------

function attentionCard(summary, queue, alerts, now) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'dash-late' },
    h('h2', { id: 'dash-late' }, 'Late and at risk'));

  // The queue comes oldest due first, so one page holds the overdue holds
  // and those due soon; if the page is all late and more follow, say "N+".
  let late = [];
  let more = false;
  if (queue.ok) {
    const soon = now.getTime() + AT_RISK_S * 1000;
    const items = queue.value.items || [];
    late = items.filter((it) => it.overdue || Date.parse(it.hold.due_at) <= soon);
    more = Boolean(queue.value.next_cursor) && late.length === items.length && items.length > 0;
  }
  const overdue = late.filter((it) => it.overdue).length;
  const atRisk = late.length - overdue;
  const plus = (n) => (more ? `${n}+` : String(n));
  const overSla = summary.ok ? summary.value.backlog.over_sla : null;

  card.append(h('div', { class: 'tiles' },
    queue.ok ? tile('Overdue holds', more && !atRisk ? plus(overdue) : String(overdue), 'overdue_holds', overdue > 0) : null,
    // A page all overdue says nothing of the holds due soon after it.
    queue.ok ? tile('Holds due within 1 hour', more && !atRisk ? '—' : plus(atRisk), 'at_risk_holds', false) : null,
    overSla !== null ? tile('Orders over SLA (open alerts)', String(overSla), 'over_sla', overSla > 0) : null));

  if (!queue.ok) card.append(errorBox(queue.error));
  if (!summary.ok) card.append(errorBox(summary.error));

  if (queue.ok && late.length) {
    card.append(h('h3', {}, 'Holds to look at first'),
      h('ul', { class: 'timeline', dataset: { list: 'late_holds' } }, late.slice(0, LISTED).map((it) => lateHold(it, now))));
  }

  if (!alerts.ok) card.append(errorBox(alerts.error));
  else if (alerts.value.alerts.length) {
    card.append(h('h3', {}, 'Open alerts'),
      h('ul', { class: 'timeline', dataset: { list: 'alerts' } }, alerts.value.alerts.map((a) => h('li', {},
        h('span', { class: 'when' }, fmtTime(a.raised_at)),
        a.hold_id ? link(`#/holds/${encodeURIComponent(a.hold_id)}`, a.message)
          : link(`#/orders/${encodeURIComponent(a.order_id)}`, a.message)))));
  }

  if (queue.ok && alerts.ok && !late.length && !alerts.value.alerts.length && !overSla)
    card.append(h('p', { class: 'muted' }, 'Nothing is late or due within the hour.'));
  card.append(h('p', { class: 'below' }, link('#/queue', 'Open the review queue')));
  return card;
}

function lateHold(it, now) {
  const dueIn = (Date.parse(it.hold.due_at) - now.getTime()) / 1000;
  return h('li', {},
    it.overdue ? badge(`overdue ${fmtAge(-dueIn)}`, 'bad') : badge(`due in ${fmtAge(dueIn)}`, 'warn'),
    ' ',
    link(`#/holds/${encodeURIComponent(it.hold.id)}`, `Order ${it.order.external_id}`),
    ' ',
    h('span', { class: 'muted' }, `${label(it.hold.type)} · raised ${fmtAge(it.age_s)} ago`),
    it.hold.escalated ? [' ', badge('escalated', 'warn')] : null);
}

function tile(k, v, name, bad) {
  return h('div', { class: bad ? 'tile bad' : 'tile' },
    h('div', { class: 'v', dataset: { figure: name } }, v), h('div', { class: 'k' }, k));
}

// ---- the cards -------------------------------------------------------------

function card(title, ...children) {
  // In a .grid a card may shrink below its chart's width (style.css), so
  // the chart can be redrawn narrower when the window narrows.
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

const NO_ORDERS = 'No orders in this range.';

function intakeCard(range, summary, intake, noOrders) {
  if (!intake.ok) return card('Intake', errorBox(intake.error));
  const points = intake.value.points;
  const today = sum(points.filter((p) => Date.parse(p.at) >= range.today));
  const s = summary.ok ? summary.value : null;
  return card('Intake',
    figures(
      figure("Today's intake", count(today), 'orders_today'),
      figure('Received in range', count(s ? s.orders_received : sum(points)), 'orders_received'),
      s ? figure('Straight through', fmtPct(s.straight_through_rate), 'straight_through_rate') : null),
    noOrders ? empty(NO_ORDERS)
      : lineChart(range, points, [{ label: 'Orders received', color: COLORS.blue, fill: true }], 'count'));
}

function backlogCard(summary) {
  if (!summary.ok) return card('Backlog now', errorBox(summary.error));
  const b = summary.value.backlog;
  const states = Object.entries(b.by_state || {})
    .sort((x, y) => rank(x[0]) - rank(y[0]))
    .map(([state, n]) => ({ label: label(state), value: n, text: count(n), name: `backlog.${state}` }));
  return card('Backlog now',
    figures(
      figure('Open orders', count(b.count), 'backlog.count'),
      figure('Median age', b.count ? fmtMs(b.age_ms.p50) : '—', 'backlog.age_p50'),
      figure('Oldest', b.count ? fmtMs(b.age_ms.max) : '—', 'backlog.age_max'),
      figure('Over SLA', count(b.over_sla), 'backlog.over_sla')),
    b.count ? bars(states, 'By state') : empty('No open orders.'));
}

function exceptionsCard(summary, noOrders) {
  if (!summary.ok) return card('Exceptions by hold type', errorBox(summary.error));
  const s = summary.value;
  const byType = s.holds_by_type || {};
  const types = Object.entries(s.exception_rate_by_type || {})
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([type, rate]) => {
      const raised = byType[type] ? byType[type].holds_raised : null;
      return {
        label: label(type), value: rate, name: `exception_rate.${type}`,
        text: raised === null ? fmtPct(rate) : `${fmtPct(rate)} · ${count(raised)} ${raised === 1 ? 'hold' : 'holds'}`,
      };
    });
  let body;
  if (noOrders) body = empty(NO_ORDERS);
  else if (!types.length) body = empty('No exceptions in this range.');
  else body = bars(types, 'Share of orders received that got a hold of each type');
  return card('Exceptions by hold type',
    figures(
      figure('Exception rate', fmtPct(s.exception_rate), 'exception_rate'),
      figure('Orders held', `${count(s.counts.held)} of ${count(s.counts.received)}`, 'orders_held')),
    body);
}

function cycleCard(range, summary, cycle, intake, noOrders) {
  const s = summary.ok ? summary.value.cycle_time_ms : null;
  const pcts = (c, name) => (c ? ['p50', 'p90', 'p99'].map((p) =>
    figure(p, fmtMs(c[p]), `${name}.${p}`)) : []);
  const body = [];
  if (summary.ok) {
    body.push(
      h('div', { class: 'figures' }, h('strong', {}, 'Received → released:'), noOrders ? '—' : pcts(s.received_to_released, 'cycle_time.released')),
      h('div', { class: 'figures' }, h('strong', {}, 'Received → shipped:'), noOrders ? '—' : pcts(s.received_to_shipped, 'cycle_time.shipped')));
  } else body.push(errorBox(summary.error));
  if (noOrders) body.push(empty(NO_ORDERS));
  else if (!cycle.ok) body.push(errorBox(cycle.error));
  else {
    // A bucket where no order was received has no cycle time (the API
    // answers 0s there): leave it out of the chart rather than draw a 0.
    const received = new Map(intake.ok ? intake.value.points.map((p) => [p.at, p.value]) : []);
    const points = cycle.value.points.map((p) =>
      (received.get(p.at) === 0 ? { at: p.at, value: null } : p));
    body.push(h('p', { class: 'muted caption' },
        `Received → released, by the ${range.bucket} the orders came in:`),
      lineChart(range, points, [
        { label: 'p50', key: 'p50', color: COLORS.blue },
        { label: 'p90', key: 'p90', color: COLORS.orange },
        { label: 'p99', key: 'p99', color: COLORS.red },
      ], 'ms'));
  }
  return card('Cycle time', ...body);
}

function onTimeCard(range, summary, onTime, noOrders) {
  const body = [];
  let released = null;
  if (summary.ok) {
    const s = summary.value;
    released = s.counts.released;
    body.push(figures(
      figure('On-time release', fmtPct(s.on_time_release_rate), 'on_time_release_rate'),
      figure('Released on time', `${count(s.counts.released_on_time)} of ${count(released)}`, 'released_on_time')));
  } else body.push(errorBox(summary.error));
  if (noOrders) body.push(empty(NO_ORDERS));
  else if (released === 0) body.push(empty('No order received in this range has been released yet.'));
  else if (!onTime.ok) body.push(errorBox(onTime.error));
  else body.push(lineChart(range, onTime.value.points, [{ label: 'On-time release', color: COLORS.green }], 'rate'));
  return card('On-time release', ...body);
}

function qualityCard(range, summary, accuracy, rework, noOrders) {
  const body = [];
  if (summary.ok) {
    const s = summary.value;
    body.push(figures(
      figure('Accuracy', fmtPct(s.accuracy), 'accuracy'),
      figure('Rework rate', fmtPct(s.rework_rate), 'rework_rate'),
      figure('Defective', count(s.counts.defective), 'defective'),
      figure('Reworked', count(s.counts.reworked), 'reworked')));
  } else body.push(errorBox(summary.error));
  if (noOrders) return card('Accuracy and rework', ...body, empty(NO_ORDERS));
  // One line per series that came; the error of one that did not.
  const lines = [
    { label: 'Accuracy', key: 'accuracy', color: COLORS.green, answer: accuracy },
    { label: 'Rework rate', key: 'rework', color: COLORS.red, answer: rework },
  ];
  lines.filter((l) => !l.answer.ok).forEach((l) => body.push(errorBox(l.answer.error)));
  const came = lines.filter((l) => l.answer.ok);
  if (came.length) {
    // The series share their buckets (same range and step): merge by "at".
    const byAt = new Map();
    for (const l of came)
      for (const p of l.answer.value.points) {
        if (!byAt.has(p.at)) byAt.set(p.at, { at: p.at, value: {} });
        byAt.get(p.at).value[l.key] = p.value;
      }
    const points = [...byAt.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    body.push(lineChart(range, points, came, 'rate'));
  }
  return card('Accuracy and rework', ...body);
}

// ---- figures and bars ---------------------------------------------------------

function figures(...items) {
  return h('div', { class: 'figures' }, items);
}

function figure(k, v, name) {
  return h('span', {}, h('span', { class: 'muted' }, `${k}: `), h('strong', { dataset: { figure: name } }, v));
}

// A horizontal bar per row ({label, value, text, name}), as long as its
// value against the largest; the text beside it carries the number.
function bars(rows, caption) {
  const max = Math.max(...rows.map((r) => r.value || 0)) || 1;
  return h('div', {},
    h('p', { class: 'muted caption' }, caption),
    h('div', { class: 'bars' },
      rows.map((r) => [
        h('span', {}, r.label),
        h('span', { class: 'n', dataset: { figure: r.name } }, r.text),
        h('span', { class: 'bar', 'aria-hidden': 'true' },
          h('span', { style: { width: `${Math.max(1, (100 * (r.value || 0)) / max)}%` } })),
      ])));
}

// ---- line charts -------------------------------------------------------------

const CHART_H = 180;
const TIME_INCRS = {
  hour: [1, 2, 3, 4, 6, 12].map((n) => n * 3600),
  day: [1, 2, 3, 7, 14, 21, 28].map((n) => n * 86400),
};
const KINDS = {
  count: { fmt: count, axis: count, range: (u, min, max) => [0, Math.max(1, max)], incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] },
  rate: { fmt: fmtPct, axis: (v) => `${Math.round(v * 100)}%`, range: () => [0, 1] },
  ms: { fmt: fmtMs, axis: msTick, range: (u, min, max) => [0, Math.max(1000, max)] },
};

// An axis tick in ms, short, in one unit: 500ms, 1.5s, 41m, 1.4h, 2d.
function msTick(v) {
  const units = [[86400e3, 'd'], [3600e3, 'h'], [60e3, 'm'], [1e3, 's']];
  for (const [size, unit] of units)
    if (v >= size) return `${+(v / size).toFixed(1)}${unit}`;
  return `${Math.round(v)}ms`;
}

// A line chart of the series' points ([{at, value}], value a number or an
// object holding each line's key), one line per {label, key, color}. It is
// drawn once its box has a width, i.e. after the page is attached, and
// drawn again to fit when that width changes.
function lineChart(range, points, lines, kind) {
  const k = KINDS[kind];
  const xs = points.map((p) => Date.parse(p.at) / 1000);
  const ys = lines.map((l) => points.map((p) => {
    const v = l.key ? (p.value ? p.value[l.key] : null) : p.value;
    return v === undefined ? null : v;
  }));
  const box = h('div', { class: 'chart' });
  if (!ys.some((y) => y.some((v) => v !== null))) {
    fill(box, empty('Nothing to chart in this range.'));
    return box;
  }
  const few = xs.length <= 31;
  const stamp = (ts) => (range.bucket === 'day' ? day(ts * 1000) : new Date(ts * 1000).toISOString().slice(0, 16).replace('T', ' '));
  // The legend reads the bucket under the cursor, else the latest one.
  const legend = (fmt) => (u, raw, si, idx) => {
    const v = u.data[si][idx === null || idx === undefined ? u.data[0].length - 1 : idx];
    return v === null || v === undefined ? '—' : fmt(v);
  };
  const opts = (width) => ({
    width, height: CHART_H,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: k.range } },
    axes: [
      // Ticks on whole buckets, in UTC, as 12-07 (days) or 13:00 (hours).
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, incrs: TIME_INCRS[range.bucket],
        values: (u, splits) => splits.map((ts) => new Date(ts * 1000).toISOString().slice(...(range.bucket === 'day' ? [5, 10] : [11, 16]))) },
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, size: 56, incrs: k.incrs, values: (u, splits) => splits.map(k.axis) },
    ],
    series: [
      { label: range.bucket === 'day' ? 'Day' : 'Hour (UTC)', value: legend(stamp) },
      ...lines.map((l) => ({
        label: l.label, stroke: l.color, width: 2,
        fill: l.fill ? `${l.color}22` : undefined,
        points: { show: few },
        value: legend(k.fmt),
      })),
    ],
  });

  let plot = null;
  const ro = new ResizeObserver(() => {
    // The page was left: let the chart go.
    if (plot && !box.isConnected) { ro.disconnect(); plot.destroy(); plot = null; return; }
    const w = Math.floor(box.clientWidth);
    if (!w) return;
    if (!plot) plot = new uPlot(opts(w), [xs, ...ys], box);
    else if (plot.width !== w) plot.setSize({ width: w, height: CHART_H });
  });
  ro.observe(box);
  return box;
}

// ---- small helpers --------------------------------------------------------------

function sum(points) {
  return points.reduce((a, p) => a + (typeof p.value === 'number' ? p.value : 0), 0);
}

function count(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

// "insufficient_stock" -> "insufficient stock"
function label(s) {
  return String(s).replace(/_/g, ' ');
}

function rank(state) {
  const i = STATE_ORDER.indexOf(state);
  return i < 0 ? STATE_ORDER.length : i;
}
