// console.test.mjs - the operations console in a real headless Chromium
// (Debian's), driven by playwright-core, against `ordo demo`:
//   - every page opens for every role with no console error, and shows
//     only what the role may do;
//   - an agent claims the next hold with one key and resolves it;
//   - the agent finds that order with the search box and reads the
//     decision on its timeline;
//   - an admin adds a rule, sees the refusal in place, simulates it and
//     saves it as the new policy;
//   - a supervisor imports a CSV file and reads the rows not taken.
// Screenshots of each page go to $ORDO_E2E_ARTIFACTS (1280x800, and some
// at a phone's width).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PASSWORD, ROLES, SLOW, emailOf, startServer } from './server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { chromium } = await import(join(here, '../../web/node_modules/playwright-core/index.mjs'));

const artifacts = process.env.ORDO_E2E_ARTIFACTS || join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });
const PAGES = ['', 'queue', 'orders', 'stock', 'rules', 'channels', 'changes', 'admin'];

let server;
let browser;
// The order whose hold the agent resolved: found again by the search.
let resolved = null;

before(async () => {
  server = await startServer();
  browser = await chromium.launch({
    executablePath: process.env.ORDO_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// A page logged in as role, collecting every console error and uncaught
// exception into page.problems.
async function loggedIn(role, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(30000 * SLOW);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
  await page.goto(server.base + '/');
  await page.fill('input[type=email]', emailOf(role));
  await page.fill('input[type=password]', PASSWORD);
  await page.click('button:has-text("Log in")');
  await page.waitForSelector('#nav a');
  return page;
}

// Open #/path and wait until the page is drawn (its h1, no "Loading").
async function open(page, path) {
  await page.goto(`${server.base}/#/${path}`);
  await page.waitForFunction(() => {
    const m = document.querySelector('main');
    return m && m.querySelector('h1') && !m.textContent.includes('Loading…');
  }, null, { timeout: 15000 * SLOW });
  await page.waitForLoadState('networkidle');
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

test('every page opens for every role, with no console error, showing only what the role may do', async () => {
  for (const role of ROLES) {
    const page = await loggedIn(role);
    const nav = await page.$$eval('#nav a', (as) => as.map((a) => a.textContent));
    assert.equal(nav.includes('Admin'), role === 'admin', `${role}: the Admin page is in the menu: ${nav}`);
    for (const p of PAGES) {
      if (p === 'admin' && role !== 'admin') continue;
      await open(page, p);
      const h1 = await page.textContent('main h1');
      assert.notEqual(h1, 'This page could not be shown', `${role} #/${p}: ${await page.textContent('main')}`);
      if (role === 'admin') await shot(page, `page-${p || 'dashboard'}`);
    }
    if (role === 'admin') {
      // On a phone's width every page reads without scrolling sideways
      // (wide tables scroll inside their own box).
      await page.setViewportSize({ width: 390, height: 844 });
      for (const p of PAGES) {
        await open(page, p);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(wide <= 1, `#/${p} is ${wide}px wider than a 390px screen`);
        await shot(page, `narrow-${p || 'dashboard'}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await open(page, 'queue');
    assert.equal(await page.locator('button:has-text("Claim next")').count(), role === 'viewer' ? 0 : 1,
      `${role}: the queue's Claim next`);
    await open(page, 'rules');
    assert.equal(await page.locator('button.sim-button').count(), role === 'viewer' ? 0 : 1, `${role}: Simulate`);
    assert.equal(await page.locator('button.save-button').count(), ['supervisor', 'admin'].includes(role) ? 1 : 0,
      `${role}: Save`);
    assert.deepEqual(page.problems, [], `${role}: console errors`);
    await page.context().close();
  }
});

test('an agent claims the next hold with one key and resolves it with a reason', async () => {
  const page = await loggedIn('agent');
  await open(page, 'queue');
  const first = await page.getAttribute('tbody tr', 'data-hold');
  assert.ok(first, 'the queue has holds');
  await page.keyboard.press('n');
  await page.waitForURL(/#\/holds\//);
  await page.waitForSelector('form button:has-text("Resolve")');
  const [, orderId, holdId] = /#\/holds\/([^/]+)\/([^/?]+)/.exec(page.url());
  assert.equal(holdId, first, 'the first hold nobody holds is the one claimed');
  let order = (await server.call('GET', `/v1/orders/${orderId}`)).json;
  let hold = order.holds.find((x) => x.id === holdId);
  assert.equal(hold.assignee, `user:${emailOf('agent')}`, 'the claim is the agent\'s');
  await shot(page, 'hold');
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 1, `a hold's page is ${wide}px wider than a 390px screen`);
  await shot(page, 'hold-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });

  // No reason: refused in place, nothing resolved.
  await page.selectOption('select[name=action]', 'approve');
  await page.click('form button:has-text("Resolve")');
  await page.waitForSelector('[data-field=reason] .field-error:not(:empty), [data-field=reason] input:invalid');
  order = (await server.call('GET', `/v1/orders/${orderId}`)).json;
  assert.equal(order.holds.find((x) => x.id === holdId).status, 'open');

  await page.fill('input[name=reason]', 'payment confirmed with the bank');
  await page.click('form button:has-text("Resolve")');
  await page.waitForURL(/#\/queue/);
  order = (await server.call('GET', `/v1/orders/${orderId}`)).json;
  hold = order.holds.find((x) => x.id === holdId);
  assert.equal(hold.status, 'resolved');
  assert.equal(hold.resolution, 'approve');
  assert.equal(hold.resolved_by, `user:${emailOf('agent')}`);
  assert.equal(hold.resolution_reason, 'payment confirmed with the bank');
  resolved = order;
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the agent finds that order with the search box and its timeline says who did what', async () => {
  assert.ok(resolved, 'the test before resolved a hold');
  const page = await loggedIn('agent');
  await open(page, 'orders');
  await page.fill('input[type=search]', resolved.external_id);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`q=${resolved.external_id}`));
  await page.waitForSelector('main tbody tr');
  assert.equal(await page.locator('main tbody tr').count(), 1, 'one order has that id');
  await page.click('main tbody tr a');
  await page.waitForURL(new RegExp(`#/orders/${resolved.id}`));
  await page.waitForSelector('.timeline li');
  const steps = await page.$$eval('.timeline li', (lis) => lis.map((li) => li.textContent));
  assert.ok(steps.some((t) => /received/.test(t)), steps.join('\n'));
  assert.ok(steps.some((t) => t.includes(`user:${emailOf('agent')}`) && /hold resolved/.test(t) &&
    t.includes('payment confirmed with the bank')), `the agent's decision on the timeline:\n${steps.join('\n')}`);
  await shot(page, 'order');
  // On a phone's width the order page still reads.
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'order-narrow');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an admin changes the policy after simulating it', async () => {
  const page = await loggedIn('admin');
  await open(page, 'rules');
  const before = (await server.call('GET', '/v1/policy')).json;
  await page.click('button:has-text("Add a rule")');
  const n = before.rules.length;
  const rule = page.locator(`fieldset[data-rule="${n}"]`);
  await rule.locator('input[type=text]').fill('very-large');
  // A condition the rule language refuses: the refusal is shown on it.
  await rule.locator('textarea').fill('total >= ');
  await page.click('button.sim-button');
  await rule.locator('[data-field$=".when"] .field-error:not(:empty)').waitFor();
  await shot(page, 'rules-refused');
  await rule.locator('textarea').fill('total >= 5000');
  await rule.locator('select').first().selectOption('high_value');
  await page.click('button.sim-button');
  await page.waitForSelector('.simulation .sim-table');
  const sim = await page.textContent('.simulation');
  assert.match(sim, /Simulated over \d+ orders/);
  assert.match(sim, /very-large/);
  await shot(page, 'rules-simulated');
  await page.click('button.save-button');
  await page.waitForSelector('.policy-version:has-text("Policy version")');
  const after = (await server.call('GET', '/v1/policy')).json;
  assert.equal(after.version, (before.version || 0) + 1);
  assert.equal(after.created_by, `user:${emailOf('admin')}`);
  assert.deepEqual(after.rules.at(-1), { id: 'very-large', when: 'total >= 5000', then: { hold: 'high_value', priority: 3 } });
  // The one refusal the test asked for; nothing else.
  assert.deepEqual(page.problems,
    ['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  await page.context().close();
});

test('a supervisor imports a CSV file and reads the rows it did not take', async () => {
  const page = await loggedIn('supervisor');
  await open(page, 'channels');
  const csv = 'Order;Customer;Email;Street;City;State;Zip;Item;Qty;Price;Payment\n'
    + 'S-901;Ana Ruiz;ana.ruiz@example.com;1 Elm St;Austin;TX;78701;FILTER-100;2;6.50;paid\n'
    + 'S-901;Ana Ruiz;ana.ruiz@example.com;1 Elm St;Austin;TX;78701;BEAN-1KG;1;32.00;paid\n'
    + 'S-902;Ben Ode;ben.ode@example.com;2 Oak St;Austin;TX;78701;FILTER-100;-1;6.50;paid\n';
  await page.selectOption('select[name=channel]', 'sheets');
  await page.setInputFiles('input[type=file][accept*=csv]', { name: 'desk-more.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('button:has-text("Import")');
  await page.waitForSelector('section[aria-live] h4:has-text("Rows not taken")', { timeout: 30000 * SLOW });
  const card = await page.textContent('section[aria-live]');
  assert.match(card, /Taken: 1/);
  assert.match(card, /Refused: 1 orders, 1 rows/);
  const report = await page.$$eval('section[aria-live] tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(report.length, 1, report.join('\n'));
  assert.match(report[0], /S-902/);
  await shot(page, 'import');
  const taken = (await server.call('GET', '/v1/orders?external_id=S-901')).json.orders;
  const refused = (await server.call('GET', '/v1/orders?external_id=S-902')).json.orders;
  assert.equal(taken.length, 1);
  assert.equal(taken[0].lines.length, 2);
  assert.equal(refused.length, 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
