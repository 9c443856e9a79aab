// Issue 15, item 3: on a shared machine every local account can reach 127.0.0.1, so a loopback
// server is no more private than the token: another user (tested as `nobody`) read thumbnails and
// file names of a root-only folder through a tokenless socket. Every socket now needs the token
// and an Origin naming this server, on loopback too.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { makeShapes } from '../../src-main/engine/index.js';
import { startServer, type RunningServer } from '../../src-main/server/index.js';

/** Opens a socket and asks for thumbnails: the status of the upgrade, and the reply if it opened. */
function tryThumbnails(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number | null; reply?: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? null });
    });
    ws.once('error', () => resolve({ status: null }));
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, channel: 'data.thumbnails', payload: { path: 'secret' } })));
    ws.once('message', (d: Buffer) => {
      ws.close();
      resolve({ status: 101, reply: JSON.parse(d.toString()) as Record<string, unknown> });
    });
  });
}

describe('every socket needs the token and an Origin, on loopback too', () => {
  let server: RunningServer;
  let token: string;
  let origin: string;
  let ws: string;

  beforeAll(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'anneal-access-'));
    mkdirSync(join(cwd, 'renderer'));
    writeFileSync(join(cwd, 'renderer', 'index.html'), '<!doctype html><title>Anneal</title>');
    await makeShapes(join(cwd, 'secret'), 2);
    // Loopback with no token given: as `anneal serve` with no flags.
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      token: null,
      cwd,
      rendererDir: join(cwd, 'renderer'),
      version: 't',
    });
    const u = new URL(server.url);
    token = u.searchParams.get('token') ?? '';
    origin = u.origin;
    ws = `ws://127.0.0.1:${server.port}/ws`;
  });
  afterAll(() => server?.close());

  it('prints an address with a token even on loopback, and the page does not carry it', async () => {
    expect(token.length).toBeGreaterThanOrEqual(32);
    const page = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    expect(page).not.toContain(token);
  });

  it('refuses another local account: no token, a wrong one, or no Origin', async () => {
    // What `nobody` did: a plain socket client, no Origin, no token.
    expect(await tryThumbnails(ws, {})).toEqual({ status: 403 });
    expect(await tryThumbnails(ws, { Origin: origin })).toEqual({ status: 403 });
    expect(await tryThumbnails(`${ws}?token=${'x'.repeat(token.length)}`, { Origin: origin })).toEqual({ status: 403 });
    expect(await tryThumbnails(`${ws}?token=${token}`, {})).toEqual({ status: 403 });
    expect(await tryThumbnails(`${ws}?token=${token}`, { Origin: 'http://localhost:1' })).toEqual({ status: 403 });
  });

  it('serves the page that presents the token', async () => {
    const r = await tryThumbnails(`${ws}?token=${encodeURIComponent(token)}`, { Origin: origin });
    expect(r.status).toBe(101);
    expect(r.reply).toMatchObject({ id: 1, ok: true });
  });
});
