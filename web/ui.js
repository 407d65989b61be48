// ui.js - building pages without a framework: h() makes elements (text is
// always set as text, never parsed as HTML), and small pieces every page
// shares: tables, pagers, empty and error states, forms, formats.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden' || k === 'required')
      el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replace what el holds.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

// An error from the API (or anything thrown), said plainly.
export function errorBox(err) {
  const msg = err && err.message ? err.message : String(err);
  const box = h('div', { class: 'error', role: 'alert' }, msg);
  if (err && err.status === 403)
    box.append(h('div', { class: 'muted' }, 'Your role does not allow this.'));
  return box;
}

// A table: columns [{label, cell(row) -> node|text, class}], rows.
export function table(columns, rows, opts = {}) {
  if (!rows.length) return empty(opts.empty || 'Nothing here.');
  return h('div', { class: 'table-wrap' },
    h('table', { class: opts.class || null },
      opts.caption ? h('caption', {}, opts.caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', { dataset: opts.rowData ? opts.rowData(r) : undefined },
        columns.map((c) => h('td', { class: c.class }, c.cell(r))))))));
}

// Label and control, with room for the server's message about the field.
export function field(label, control, name) {
  const id = control.id || (control.id = 'f-' + Math.random().toString(36).slice(2));
  return h('div', { class: 'field', dataset: name ? { field: name } : undefined },
    h('label', { for: id }, label), control, h('div', { class: 'field-error', role: 'alert' }));
}

// Show each problem an ApiError names beside its field in form (fields
// marked data-field); the rest, or all, in the form's error area.
export function showFormErrors(form, err) {
  form.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  const general = form.querySelector('.form-error');
  let placed = false;
  for (const d of (err && err.details) || []) {
    const f = d.field && form.querySelector(`[data-field="${CSS.escape(d.field)}"]`);
    if (f) {
      f.querySelector('.field-error').textContent = d.message;
      const c = f.querySelector('input, select, textarea');
      if (c) c.classList.add('invalid');
      placed = true;
    }
  }
  if (!general) return;
  // What no field shows is said in the form's own place.
  const rest = ((err && err.details) || []).filter((d) => !d.field || !form.querySelector(`[data-field="${CSS.escape(d.field)}"]`));
  if (!err) general.textContent = '';
  else if (!placed) general.textContent = err.message;
  else general.textContent = rest.length ? rest.map((d) => d.message).join('; ') : '';
}

// Run send() for form, its buttons off meanwhile: then done(answer), or
// the server's problems beside the fields they name.
export async function submitForm(form, send, done) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await send();
    showFormErrors(form, null);
    await done(answer);
  } catch (err) {
    showFormErrors(form, err);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

export function button(text, onclick, attrs = {}) {
  return h('button', { type: 'button', ...attrs, on: { click: onclick } }, text);
}

let toastTimer = null;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 3000);
}

// ---- formats -------------------------------------------------------------

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

export function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return fmtAge(ms / 1000);
}

export function fmtPct(x) {
  if (x === null || x === undefined) return '—';
  return (x * 100).toFixed(1) + '%';
}

export function money(amount, currency) {
  return amount === null || amount === undefined ? '—' : `${amount} ${currency || ''}`.trim();
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || ''}` }, text);
}

// A pager for a list with a next_cursor: keeps the cursors of the pages
// before, so Previous goes back.
export function pager(state, onChange) {
  if (!state.before.length && !state.next) return null; // one page: no pager
  const prev = button('Previous', () => { state.cursor = state.before.pop() || null; onChange(); },
    { disabled: !state.before.length });
  const next = button('Next', () => { state.before.push(state.cursor); state.cursor = state.next; onChange(); },
    { disabled: !state.next });
  return h('div', { class: 'pager' }, prev, next);
}
export function newPaging() { return { cursor: null, next: null, before: [] }; }
