// admin.js - the tenant's administration, for admins: people, API keys,
// webhooks and their deliveries, locations, settings and the audit log.
// One section a page: #/admin/users, /keys, /webhooks, /locations,
// /settings, /audit.

import { api, withQuery } from './api.js';
import {
  h, fill, table, field, showFormErrors, errorBox, pager, newPaging,
  toast, fmtTime, fmtAge, badge, link, button,
} from './ui.js';

const SECTIONS = [
  { path: 'users', label: 'People', draw: users },
  { path: 'keys', label: 'API keys', draw: keys },
  { path: 'webhooks', label: 'Webhooks', draw: webhooks },
  { path: 'locations', label: 'Locations', draw: locations },
  { path: 'settings', label: 'Settings', draw: settings },
  { path: 'audit', label: 'Audit log', draw: audit },
];

const PEOPLE_ROLES = ['viewer', 'agent', 'supervisor', 'admin'];
const KEY_ROLES = ['viewer', 'agent', 'supervisor', 'admin', 'integration'];
const EVENTS = ['order.accepted', 'order.on_hold', 'order.allocated', 'order.backordered',
  'order.changed', 'order.shipped', 'order.delivered', 'order.closed', 'order.cancelled',
  'fulfillment.released', 'fulfillment.accepted', 'fulfillment.rejected', 'fulfillment.cancelled',
  'fulfillment.change_requested', 'shipment.created', 'change_request.requested',
  'change_request.accepted', 'change_request.refused', 'change_request.expired',
  'return.authorized', 'return.received', 'return.refunded', 'stock.low',
  'alert.raised', 'alert.cleared', 'webhook.paused'];
const AUDIT_KINDS = ['login.succeeded', 'login.failed', 'key.created', 'key.revoked', 'key.rotated',
  'user.created', 'user.invited', 'user.changed', 'policy.changed', 'settings.changed',
  'webhook.created', 'webhook.deleted', 'webhook.resumed', 'webhook.rotated', 'hold.resolved',
  'holds.bulk', 'order.cancelled', 'stock.counted', 'monitors.changed', 'channel.created',
  'channel.changed', 'channel.deleted'];

export async function render(ctx, main, args) {
  main.append(h('h1', {}, 'Admin'));
  if (!ctx.atLeast('admin')) {
    main.append(h('p', {}, 'This page is for admins.'));
    return;
  }
  const section = SECTIONS.find((s) => s.path === args.parts[0]) || SECTIONS[0];
  main.append(h('nav', { class: 'tabs', 'aria-label': 'Admin sections' },
    SECTIONS.map((s) => h('a', {
      href: `#/admin/${s.path}`,
      'aria-current': s === section ? 'page' : null,
    }, s.label))));
  await section.draw(ctx, main, args);
}

// ---- shared pieces ----------------------------------------------------------

const select = (name, values, current, labels = {}) => h('select', { name },
  values.map((v) => h('option', { value: v, selected: v === current }, labels[v] || v)));

// A form whose submit runs fn(form); the button is off while it runs and
// the server's problems land beside their fields.
function form(fn, ...children) {
  const f = h('form', { on: { submit: async (ev) => {
    ev.preventDefault();
    const submit = f.querySelector('button[type=submit]');
    submit.disabled = true;
    showFormErrors(f, null);
    try {
      await fn(f);
    } catch (err) {
      showFormErrors(f, err);
    } finally {
      submit.disabled = false;
    }
  } } }, children, h('div', { class: 'form-error', role: 'alert' }));
  return f;
}

// A row's action: the button is off while it runs (and after, unless fn
// answers false: nothing was done); a failure is said in box.
function action(text, box, fn, attrs = {}) {
  const b = button(text, async () => {
    b.disabled = true;
    fill(box);
    try {
      if (await fn() === false) b.disabled = false;
    } catch (err) {
      fill(box, errorBox(err));
      b.disabled = false;
    }
  }, attrs);
  return b;
}

// A secret the server shows once (a key, a password, a signing secret).
function secretBox(el, title, secret, note) {
  const input = h('input', { type: 'text', readonly: true, value: secret, 'aria-label': title,
    spellcheck: 'false' });
  const copy = button('Copy', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(secret);
      toast('Copied');
    } catch {
      toast('Selected: press Ctrl+C to copy');
    }
  });
  fill(el, h('div', { class: 'card secret-once', role: 'status' },
    h('h3', {}, title),
    h('p', {}, h('strong', {}, 'Copy it now: '), note),
    input,
    h('div', { class: 'actions' }, copy, button('I have copied it', () => fill(el)))));
  input.select();
}

// A paged list drawn into el by draw(rows); a bad filter is also said
// beside its field in form. Returns load() and reload() (first page).
function pagedList(el, path, query, key, draw, filterForm) {
  const paging = newPaging();
  const load = async () => {
    try {
      const r = await api('GET', withQuery(path, { ...query(), cursor: paging.cursor }));
      paging.next = r.next_cursor;
      fill(el, draw(r[key]), pager(paging, load));
    } catch (err) {
      fill(el, errorBox(err));
      if (filterForm) showFormErrors(filterForm, err);
    }
  };
  return { load, reload: () => { Object.assign(paging, newPaging()); return load(); } };
}

async function locationCodes() {
  try {
    const r = await api('GET', withQuery('/v1/locations', { limit: 200 }));
    return r.locations.map((l) => l.code);
  } catch {
    return [];
  }
}

// ---- people -----------------------------------------------------------------

async function users(ctx, main) {
  const shown = h('div');
  const box = h('div');
  const list = h('div');
  const me = ctx.session.user && ctx.session.user.email;
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'off', class: 'wide' });
  const role = select('role', PEOPLE_ROLES, 'agent');
  main.append(h('section', { class: 'card' }, h('h2', {}, 'Invite a person'),
    form(async () => {
      const u = await api('POST', '/v1/users', { email: email.value.trim(), role: role.value });
      if (u.password)
        secretBox(shown, `Password for ${u.email}`, u.password, 'it is shown this once. Give it to them safely; they log in with it.');
      else
        fill(shown, h('p', { class: 'muted' }, `${u.email} already logs in to ordo; they now serve here as ${u.role}.`));
      email.value = '';
      toast(`${u.email} invited`);
      people.reload();
    }, h('div', { class: 'filters' }, field('Email', email, 'email'), field('Role', role, 'role'),
      h('button', { type: 'submit', class: 'primary' }, 'Invite'))),
    shown));
  main.append(h('h2', {}, 'People of this tenant'), box, list);

  const patch = async (u, body) => {
    const after = await api('PATCH', `/v1/users/${encodeURIComponent(u.id)}`, body);
    toast(`${after.email}: ${after.role}, ${after.status}`);
    people.load();
  };
  const people = pagedList(list, '/v1/users', () => ({ limit: 50 }), 'users', (rows) => table([
    { label: 'Email', cell: (u) => [u.email, u.email === me ? [' ', badge('you')] : null] },
    { label: 'Role', cell: (u) => {
      if (u.email === me || u.role === 'integration') return u.role;
      const s = select('role', PEOPLE_ROLES, u.role);
      s.setAttribute('aria-label', `Role of ${u.email}`);
      s.addEventListener('change', async () => {
        s.disabled = true;
        fill(box);
        try { await patch(u, { role: s.value }); } catch (err) { fill(box, errorBox(err)); s.value = u.role; s.disabled = false; }
      });
      return s;
    } },
    { label: 'Status', cell: (u) => badge(u.status, u.status === 'active' ? 'ok' : 'bad') },
    { label: 'Added', cell: (u) => fmtTime(u.created_at) },
    { label: 'Disabled', cell: (u) => fmtTime(u.disabled_at) },
    { label: '', cell: (u) => (u.email === me ? null : u.status === 'active'
      ? action('Disable', box, () => confirm(`Disable ${u.email} here? Their next request is refused.`)
        && patch(u, { status: 'disabled' }), { class: 'danger' })
      : action('Enable', box, () => patch(u, { status: 'active' }))) },
  ], rows, { empty: 'Nobody yet.' }));
  await people.load();
}

// ---- API keys -----------------------------------------------------------------

async function keys(ctx, main) {
  const shown = h('div');
  const box = h('div');
  const list = h('div');
  const codes = await locationCodes();
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '128', autocomplete: 'off', class: 'wide' });
  const role = select('role', KEY_ROLES, 'integration');
  const location = select('location', ['', ...codes], '', { '': 'none' });
  const locField = field('Location (integration keys: the warehouse it answers for)', location, 'location');
  const syncLocation = () => { locField.hidden = role.value !== 'integration'; };
  role.addEventListener('change', syncLocation);
  syncLocation();

  main.append(h('section', { class: 'card' }, h('h2', {}, 'Create a key'),
    form(async () => {
      const body = { name: name.value.trim(), role: role.value };
      if (role.value === 'integration' && location.value) body.location = location.value;
      const k = await api('POST', '/v1/keys', body);
      secretBox(shown, `Key "${k.name}" (${k.role})`, k.key,
        'this key is shown once and cannot be read again. Send it as "Authorization: Bearer KEY".');
      name.value = '';
      keyList.load();
    }, h('div', { class: 'filters' }, field('Name (who or what uses it)', name, 'name'),
      field('Role', role, 'role'), locField,
      h('button', { type: 'submit', class: 'primary' }, 'Create key'))),
    shown));
  main.append(h('h2', {}, 'Live keys'),
    h('p', { class: 'muted' }, 'A revoked key leaves this list at once; its name stays taken.'), box, list);

  const keyList = {
    load: async () => {
      try {
        const r = await api('GET', '/v1/keys');
        fill(list, table([
          { label: 'Name', cell: (k) => k.name },
          { label: 'Role', cell: (k) => badge(k.role) },
          { label: 'Location', cell: (k) => k.location || '—' },
          { label: 'Created', cell: (k) => fmtTime(k.created_at) },
          { label: 'Last used', cell: (k) => (k.last_used_at ? fmtTime(k.last_used_at) : 'never') },
          { label: '', cell: (k) => h('div', { class: 'actions tight' },
            action('Rotate', box, async () => {
              if (!confirm(`Rotate key "${k.name}"? Its old secret stops working at once.`)) return false;
              const after = await api('POST', `/v1/keys/${encodeURIComponent(k.id)}/rotate`);
              secretBox(shown, `New secret of key "${after.name}"`, after.key,
                'the old one is refused from now on; this one is shown once.');
              keyList.load();
            }),
            action('Revoke', box, async () => {
              if (!confirm(`Revoke key "${k.name}"? Every request with it is refused from now on.`)) return false;
              const after = await api('DELETE', `/v1/keys/${encodeURIComponent(k.id)}`);
              toast(`Key "${after.name}" revoked at ${fmtTime(after.revoked_at)}`);
              keyList.load();
            }, { class: 'danger' })) },
        ], r.keys, { empty: 'No live keys.' }));
      } catch (err) {
        fill(list, errorBox(err));
      }
    },
  };
  await keyList.load();
}

// ---- webhooks -------------------------------------------------------------------

async function webhooks(ctx, main) {
  const shown = h('div');
  const box = h('div');
  const list = h('div');
  const codes = await locationCodes();
  const url = h('input', { type: 'url', name: 'url', required: true, placeholder: 'https://', class: 'full' });
  const location = select('location', ['', ...codes], '', { '': 'none (every event of the tenant)' });
  const boxes = EVENTS.map((e) => h('input', { type: 'checkbox', value: e, checked: e.startsWith('order.') }));
  const events = h('fieldset', { dataset: { field: 'events' } },
    h('legend', {}, 'Events'),
    h('div', { class: 'checks' }, boxes.map((b) => h('label', {}, b, ' ', b.value))),
    h('div', { class: 'field-error', role: 'alert' }));

  main.append(h('section', { class: 'card' }, h('h2', {}, 'Subscribe a webhook'),
    form(async () => {
      const w = await api('POST', '/v1/webhooks', {
        url: url.value.trim(),
        events: boxes.filter((b) => b.checked).map((b) => b.value),
        location: location.value || null,
      });
      secretBox(shown, `Signing secret of ${w.url}`, w.secret,
        'it is shown once. The receiver checks X-Ordo-Signature with it.');
      url.value = '';
      hookList.load();
    }, field('URL', url, 'url'), field('Location', location, 'location'), events,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Subscribe'))),
    shown));
  main.append(h('h2', {}, 'Webhooks'), box, list);

  let byId = {};
  const hookList = {
    load: async () => {
      try {
        const r = await api('GET', '/v1/webhooks');
        byId = Object.fromEntries(r.webhooks.map((w) => [w.id, w]));
        fill(list, table([
          { label: 'URL', cell: (w) => h('code', {}, w.url) },
          { label: 'Events', cell: (w) => h('span', { class: 'muted' }, w.events.join(', ')) },
          { label: 'For', cell: (w) => (w.channel ? `channel ${w.channel}` : w.location ? `location ${w.location}` : 'tenant') },
          { label: 'Status', cell: (w) => [badge(w.status, w.status === 'paused' ? 'bad' : w.failing_since ? 'warn' : 'ok'),
            w.failing_since ? h('div', { class: 'muted' }, `failing since ${fmtTime(w.failing_since)}`) : null,
            w.last_error ? h('div', { class: 'muted' }, w.last_error) : null] },
          { label: '', cell: (w) => h('div', { class: 'actions tight' },
            w.status === 'paused' || w.failing_since ? action(w.status === 'paused' ? 'Resume' : 'Retry now', box, async () => {
              await api('POST', `/v1/webhooks/${encodeURIComponent(w.id)}/resume`);
              toast('Webhook resumed');
              hookList.load();
            }) : null,
            w.channel ? null : action('Rotate secret', box, async () => {
              if (!confirm('Give this webhook a new signing secret? The old one still signs for a day.')) return false;
              const after = await api('POST', `/v1/webhooks/${encodeURIComponent(w.id)}/rotate`);
              secretBox(shown, `New signing secret of ${after.url}`, after.secret,
                `the old one signs beside it until ${fmtTime(after.previous_secret_until)}; this one is shown once.`);
              hookList.load();
            }),
            w.channel ? null : action('Delete', box, async () => {
              if (!confirm(`Delete the webhook to ${w.url}? Its pending deliveries are failed.`)) return false;
              await api('DELETE', `/v1/webhooks/${encodeURIComponent(w.id)}`);
              toast('Webhook deleted');
              hookList.load();
              deliveries.reload();
            }, { class: 'danger' })) },
        ], r.webhooks, { empty: 'No webhooks.' }));
      } catch (err) {
        fill(list, errorBox(err));
      }
    },
  };

  // Deliveries, failed ones first: they are what needs a hand.
  const status = select('status', ['failed', 'pending', 'delivered', ''], 'failed', { '': 'all' });
  const dbox = h('div');
  const dlist = h('div');
  const deliveries = pagedList(dlist, '/v1/webhooks/deliveries', () => ({ status: status.value, limit: 20 }),
    'deliveries', (rows) => table([
      { label: 'Event', cell: (d) => [d.event_type, h('div', { class: 'muted' }, fmtTime(d.created_at))] },
      { label: 'Order', cell: (d) => (d.order_id ? link(`#/orders/${encodeURIComponent(d.order_id)}`, d.order_id) : '—') },
      { label: 'To', cell: (d) => (byId[d.webhook_id] ? byId[d.webhook_id].url : d.webhook_id) },
      { label: 'Status', cell: (d) => badge(d.status, { failed: 'bad', pending: 'warn', delivered: 'ok' }[d.status]) },
      { label: 'Attempts', class: 'num', cell: (d) => d.attempts },
      { label: 'Last answer', cell: (d) => [d.last_status ? String(d.last_status) : '—',
        d.last_error ? h('div', { class: 'muted' }, d.last_error) : null] },
      { label: 'When', cell: (d) => (d.status === 'delivered' ? `delivered ${fmtTime(d.delivered_at)}`
        : d.status === 'failed' ? `gave up: retries ended ${fmtTime(d.retry_until)}` : `next try ${fmtTime(d.next_attempt_at)}`) },
      { label: '', cell: (d) => action('Redeliver', dbox, async () => {
        await api('POST', `/v1/webhooks/deliveries/${encodeURIComponent(d.id)}/redeliver`);
        toast('Sent again: pending');
        deliveries.load();
      }) },
    ], rows, { empty: status.value === 'failed' ? 'No failed deliveries.' : 'No deliveries.' }));
  status.addEventListener('change', () => deliveries.reload());
  main.append(h('h2', {}, 'Deliveries'),
    h('div', { class: 'filters' }, field('Status', status, 'status')), dbox, dlist);
  await hookList.load(); // first: the deliveries name their webhook's URL
  await deliveries.load();
}

// ---- locations ------------------------------------------------------------------

const LOCATION_TEXT = [['code', 'Code', 32], ['name', 'Name', 128], ['line1', 'Address line 1', 128],
  ['line2', 'Address line 2', 128], ['city', 'City', 64], ['region', 'Region', 64],
  ['postal_code', 'Postal code', 16], ['country', 'Country (2 letters)', 2]];

async function locations(ctx, main) {
  const inputs = Object.fromEntries(LOCATION_TEXT.map(([k, , max]) =>
    [k, h('input', { type: 'text', name: k, maxlength: String(max), autocomplete: 'off' })]));
  inputs.code.required = true;
  inputs.name.required = true;
  inputs.country.required = true;
  const priority = h('input', { type: 'number', name: 'priority', min: '0', max: '10000', placeholder: '100' });
  const serves = h('input', { type: 'text', name: 'serves', placeholder: 'US, CA, US-HI' });
  const active = h('input', { type: 'checkbox', name: 'active', checked: true });
  const list = h('div');

  const edit = (l) => {
    for (const [k] of LOCATION_TEXT) inputs[k].value = l[k] || '';
    priority.value = String(l.priority);
    serves.value = l.serves.join(', ');
    active.checked = l.active;
    inputs.name.focus();
  };
  main.append(h('section', { class: 'card' }, h('h2', {}, 'Add or replace a location'),
    h('p', { class: 'muted' }, 'Saving an existing code replaces that location. Its serve list and priority apply to allocations made afterwards.'),
    form(async (f) => {
      const body = {};
      for (const [k] of LOCATION_TEXT) if (inputs[k].value.trim()) body[k] = inputs[k].value.trim();
      if (body.country) body.country = body.country.toUpperCase();
      if (priority.value !== '') body.priority = Number(priority.value);
      body.serves = serves.value.split(/[\s,]+/).filter(Boolean);
      body.active = active.checked;
      const l = await api('POST', '/v1/locations', body);
      toast(`Location ${l.code} saved`);
      f.reset();
      active.checked = true;
      locs.load();
    },
    h('div', { class: 'grid tight' },
      LOCATION_TEXT.map(([k, label]) => field(label, inputs[k], k)),
      field('Priority (lower ships first)', priority, 'priority'),
      field('Serves (countries or country-region; empty: everywhere)', serves, 'serves')),
    h('label', {}, active, ' Active'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save location')))));
  main.append(h('h2', {}, 'Locations'), list);

  const locs = pagedList(list, '/v1/locations', () => ({ limit: 50 }), 'locations', (rows) => table([
    { label: 'Code', cell: (l) => h('code', {}, l.code) },
    { label: 'Name', cell: (l) => l.name },
    { label: 'Address', cell: (l) => [l.line1, l.line2, l.city, l.region, l.postal_code].filter(Boolean).join(', ') || '—' },
    { label: 'Country', cell: (l) => l.country },
    { label: 'Priority', class: 'num', cell: (l) => l.priority },
    { label: 'Serves', cell: (l) => (l.serves.length ? l.serves.join(', ') : 'everywhere') },
    { label: 'Active', cell: (l) => badge(l.active ? 'active' : 'inactive', l.active ? 'ok' : null) },
    { label: '', cell: (l) => button('Edit', () => edit(l)) },
  ], rows, { empty: 'No locations yet.' }));
  await locs.load();
}

// ---- settings -------------------------------------------------------------------

const SECONDS = [
  ['duplicate_window_s', 'Duplicate window (s)', 'How far back intake looks for a duplicate; 0 turns it off.'],
  ['release_sla_s', 'Release SLA (s)', 'After acceptance, by when an order should be released.'],
  ['closing_period_s', 'Closing period (s)', 'Delivered orders close this long after delivery.'],
  ['webhook_retry_window_s', 'Webhook retry window (s)', 'A delivery not through by then is failed.'],
  ['change_window_s', 'Change window (s)', 'How long a warehouse has to answer a change request.'],
];
const COUNTS = [
  ['low_stock_threshold', 'Low stock threshold', 'stock.low is sent when available falls to this.'],
  ['bulk_limit', 'Bulk limit', 'Holds one bulk action may touch unless it names its own limit.'],
];

async function settings(ctx, main) {
  let current = await api('GET', '/v1/settings');
  const inputs = {};
  const hint = (el, text) => { el.append(h('div', { class: 'muted' }, text)); return el; };
  const number = (k, v, min) => (inputs[k] = h('input', { type: 'number', name: k, value: String(v), min }));
  const asTime = (input) => {
    const out = h('span', { class: 'muted' });
    const show = () => { out.textContent = /^\d+$/.test(input.value) ? ` = ${fmtAge(Number(input.value))}` : ''; };
    input.addEventListener('input', show);
    show();
    return out;
  };

  const scalar = [
    ...SECONDS.map(([k, label, text]) => {
      const f = hint(field(label, number(k, current[k], '0'), k), text);
      f.querySelector('label').append(asTime(inputs[k]));
      return f;
    }),
    ...COUNTS.map(([k, label, text]) => hint(field(label, number(k, current[k], '0'), k), text)),
    hint(field('Backorder mode', inputs.backorder_mode = select('backorder_mode', ['backorder', 'hold'], current.backorder_mode), 'backorder_mode'),
      'backorder: ship what can be promised; hold: hold the order.'),
    hint(field('Release mode', inputs.release_mode = select('release_mode', ['auto', 'wave'], current.release_mode), 'release_mode'),
      'auto: release right after allocation; wave: wait for a wave.'),
    hint(field('Daily cut-off (UTC, HH:MM)', inputs.cutoff_utc = h('input', { type: 'text', name: 'cutoff_utc',
      value: current.cutoff_utc || '', placeholder: 'none', maxlength: '5' }), 'cutoff_utc'), 'Empty: no cut-off.'),
  ];

  const types = Object.keys(current.holds);
  const holdInputs = {};
  const cell = (t, k, min, max) => {
    const input = h('input', { type: 'number', name: `holds.${t}.${k}`, value: String(current.holds[t][k]),
      min, max, 'aria-label': `${t} ${k === 'sla_s' ? 'SLA in seconds' : 'priority'}`, class: k === 'sla_s' ? 'seconds' : 'rank' });
    holdInputs[`${t}.${k}`] = input;
    const f = h('div', { class: 'field inline', dataset: { field: `holds.${t}.${k}` } },
      input, k === 'sla_s' ? asTime(input) : null, h('div', { class: 'field-error', role: 'alert' }));
    return f;
  };
  const holdsTable = table([
    { label: 'Hold type', cell: (t) => t.replace(/_/g, ' ') },
    { label: 'SLA (seconds)', cell: (t) => cell(t, 'sla_s', '60', '2592000') },
    { label: 'Priority (1 most urgent)', cell: (t) => cell(t, 'priority', '1', '5') },
  ], types);

  const int = (v) => (/^-?\d+$/.test(v.trim()) ? Number(v) : (v.trim() === '' ? null : v));
  const settingsForm = form(async () => {
    const body = {};
    for (const [k] of [...SECONDS, ...COUNTS]) {
      const v = int(inputs[k].value);
      if (v !== current[k]) body[k] = v;
    }
    for (const k of ['backorder_mode', 'release_mode'])
      if (inputs[k].value !== current[k]) body[k] = inputs[k].value;
    const cutoff = inputs.cutoff_utc.value.trim() || null;
    if (cutoff !== current.cutoff_utc) body.cutoff_utc = cutoff;
    for (const t of types) for (const k of ['sla_s', 'priority']) {
      const v = int(holdInputs[`${t}.${k}`].value);
      if (v !== current.holds[t][k]) ((body.holds ||= {})[t] ||= {})[k] = v;
    }
    if (!Object.keys(body).length) { toast('Nothing changed'); return; }
    current = await api('PATCH', '/v1/settings', body);
    toast('Settings saved');
  },
  h('section', { class: 'card' }, h('h2', {}, 'Settings'), h('div', { class: 'grid tight' }, scalar)),
  h('section', { class: 'card' }, h('h2', {}, 'Holds: SLA and priority by type'),
    h('p', { class: 'muted' }, 'Apply to holds raised afterwards; a hold\'s due time is fixed when it is raised.'), holdsTable),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')));
  settingsForm.noValidate = true; // the server's words, beside each field
  main.append(settingsForm);
}

// ---- audit log ------------------------------------------------------------------

async function audit(ctx, main) {
  const actor = h('input', { type: 'text', name: 'actor', placeholder: 'user:ann@… / key:name / cli', autocomplete: 'off' });
  const kind = select('kind', ['', ...AUDIT_KINDS], '', { '': 'any' });
  const from = h('input', { type: 'datetime-local', name: 'from' });
  const to = h('input', { type: 'datetime-local', name: 'to' });
  const utc = (v) => (v ? `${v.length === 16 ? `${v}:00` : v}Z` : '');
  const list = h('div');
  const filters = h('form', { class: 'filters', on: { submit: (ev) => {
    ev.preventDefault();
    showFormErrors(filters, null);
    log.reload();
  } } },
  field('Actor', actor, 'actor'), field('Kind', kind, 'kind'),
  field('From (UTC)', from, 'from'), field('To (UTC)', to, 'to'),
  h('button', { type: 'submit', class: 'primary' }, 'Show'),
  h('div', { class: 'form-error', role: 'alert' }));
  main.append(filters, list);

  const change = (a) => (a.before === null && a.after === null ? '—' : h('details', {},
    h('summary', {}, a.before === null ? 'after' : a.after === null ? 'before' : 'before → after'),
    a.before !== null ? h('pre', {}, 'before: ', JSON.stringify(a.before, null, 2)) : null,
    a.after !== null ? h('pre', {}, 'after: ', JSON.stringify(a.after, null, 2)) : null));
  const log = pagedList(list, '/v1/audit',
    () => ({ actor: actor.value.trim(), kind: kind.value, from: utc(from.value), to: utc(to.value), limit: 50 }),
    'audit', (rows) => table([
      { label: 'When', cell: (a) => fmtTime(a.at) },
      { label: 'Actor', cell: (a) => a.actor },
      { label: 'From', cell: (a) => a.address },
      { label: 'Kind', cell: (a) => badge(a.kind, a.kind === 'login.failed' ? 'bad' : null) },
      { label: 'Target', cell: (a) => a.target || '—' },
      { label: 'Change', cell: change },
    ], rows, { empty: 'Nothing in the log matches.' }), filters);
  await log.load();
}
