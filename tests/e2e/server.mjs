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
  const child = spawn(bin, ['demo', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const key = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ordo demo did not start in 60 s:\n${out}\n${err}`)), 60000);
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
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(); else child.on('exit', resolve); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
