// A tiny API client for test set-up and for checking what the hub holds (the UI is what is tested).
import { randomUUID } from 'node:crypto';

export const DEMO_PASSWORD = 'demo1234';

export async function login(base, username) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

export async function call(base, token, method, path, body) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && path === '/sales') headers['idempotency-key'] = randomUUID();
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Lists answer {items:[…]}; tolerate a bare array too. */
export const items = (list) => (Array.isArray(list) ? list : list.items);

export function formatMXN(cents) {
  const abs = Math.abs(cents);
  const pesos = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}$${pesos}.${String(abs % 100).padStart(2, '0')}`;
}
