// server.mjs - an ordo server for the console's end-to-end tests: `ordo
// demo` on a fresh SQLite file and a free port, seeded with a catalog,
// orders, holds of every kind, and one person of each role, who log in
// with the password the demo prints.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = 'ordo-demo-password';
export const ROLES = ['viewer', 'agent', 'supervisor', 'admin'];
export const emailOf = (role) => `${role}@demo.example`;
// Under `make valgrind`, ordo runs under ORDO_TEST_WRAP (Valgrind's
// memcheck, its words split on spaces), ORDO_TEST_SLOW times slower.
export const SLOW = Math.max(1, Number(process.env.ORDO_TEST_SLOW) || 1);
const WRAP = (process.env.ORDO_TEST_WRAP || '').split(' ').filter((w) => w);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startServer() {
  const bin = process.env.ORDO_BIN;
  if (!bin) throw new Error('ORDO_BIN names the ordo command to test');
  const dir = mkdtempSync(join(tmpdir(), 'ordo-console-'));
  const db = join(dir, 'demo.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['demo', '--db', db, '--listen', `127.0.0.1:${port}`];
  const child = WRAP.length
    ? spawn(WRAP[0], [...WRAP.slice(1), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const key = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ordo demo did not start in ${60 * SLOW} s:\n${out}\n${err}`)), 60000 * SLOW);
    const look = () => {
      const m = /API key \(tenant "demo"\): (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on('data', look);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`ordo demo exited ${code}:\n${err}`)); });
  });
  if (!out.includes(`password ${PASSWORD}`)) throw new Error(`the demo names another password:\n${out}`);
  // The API as the demo's admin key, to check what the console did.
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return {
    base, key, db, call,
    log: () => err,
    // Stops the demo; it must end well, with nothing from Valgrind.
    async stop() {
      child.kill('SIGTERM');
      const code = await new Promise((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode); else child.on('exit', (c) => resolve(c));
      });
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0 || /^==\d+==/m.test(err)) throw new Error(`ordo demo ended with ${code}:\n${err}`);
    },
  };
}
