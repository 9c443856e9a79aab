// `anneal serve`'s adapter in-process: the page and its CSP, the contract over a real WebSocket,
// and who may connect (DNS rebinding, cross-site sockets, the token off loopback).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseRequest, ContractError } from '../../src-main/contract/index.js';
import { checkSocket, hostName, RENDERER_CSP, startServer, type RunningServer } from '../../src-main/server/index.js';
import { createSweep } from '../../src-main/engine/sweep/index.js';

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, channel, payload }));
  });
}

const opened = (ws: WebSocket) =>
  new Promise<number | null>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? null));
    ws.once('error', () => resolve(null));
  });

describe('anneal serve (in-process)', () => {
  let server: RunningServer;
  let cwd: string;
  /** A socket as the served page opens it: its token, its Origin. */
  const pageSocket = () => {
    const u = new URL(server.url);
    return new WebSocket(`ws://${u.host}/ws${u.search}`, { headers: { Origin: u.origin } });
  };

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'anneal-serve-'));
    const renderer = join(cwd, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Anneal</title>');
    server = await startServer({ host: '127.0.0.1', port: 0, token: null, cwd, rendererDir: renderer, version: 't' });
  });
  afterAll(() => server?.close());

  it('serves the page with the CSP, and nothing outside its folder', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await page.text()).toContain('<title>Anneal</title>');
    expect((await fetch(`http://127.0.0.1:${server.port}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a page reached by another name (DNS rebinding)', async () => {
    // fetch will not send a Host header of its choosing; node:http does, as a rebinding browser would.
    const status = await new Promise<number | undefined>((resolve) =>
      get({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }),
    );
    expect(status).toBe(421);
  });

  it('answers the contract over a WebSocket, with one-line errors', async () => {
    const ws = pageSocket();
    expect(await opened(ws)).toBe(101);
    await expect(call(ws, 1, 'app.info', {})).resolves.toMatchObject({
      id: 1,
      ok: true,
      result: { mode: 'serve', cwd, runsDir: join(cwd, 'runs'), canPickFolder: false },
    });
    await expect(call(ws, 2, 'runs.list', {})).resolves.toEqual({ id: 2, ok: true, result: [] });
    const models = (await call(ws, 6, 'models.list', {})) as {
      result: { arch: string; groups: number; bundled: string | null }[];
    };
    const micro = models.result.find((m) => m.arch === 'resnet_micro')!;
    expect(micro.groups).toBe(6);
    expect(micro.bundled).toMatch(/models[/\\]resnet_micro$/);
    expect(models.result.find((m) => m.arch === 'resnet50')!.bundled).toBeNull();
    await expect(call(ws, 3, 'fs.readFile', { path: '/etc/passwd' })).resolves.toEqual({
      id: 3,
      ok: false,
      error: 'unknown channel "fs.readFile"',
      kind: 'usage',
    });
    const missing = await call(ws, 4, 'data.inspect', { path: 'no-such-folder' });
    expect(missing).toMatchObject({ ok: false, kind: 'usage' });
    expect(missing.error).toMatch(/no-such-folder/);
    await expect(call(ws, 5, 'app.pickPath', { kind: 'folder' })).resolves.toMatchObject({
      ok: false,
      error: 'no file dialog in serve mode: type the path',
    });
    ws.close();
  });

  it('refuses a socket from another site', async () => {
    const u = new URL(server.url);
    const ws = new WebSocket(`ws://${u.host}/ws${u.search}`, { headers: { Origin: 'https://evil.example' } });
    expect(await opened(ws)).toBe(403);
  });

  it('makes a sample dataset and inspects it through the engine', async () => {
    const ws = pageSocket();
    await opened(ws);
    await expect(call(ws, 1, 'data.makeSample', { dir: 'shapes', imagesPerClass: 3 })).resolves.toMatchObject({
      ok: true,
      result: { path: join(cwd, 'shapes'), classes: ['circle', 'cross', 'square', 'triangle'] },
    });
    const report = (await call(ws, 2, 'data.inspect', { path: 'shapes' })) as {
      result: { total: number; problems: unknown[] };
    };
    expect(report.result.total).toBe(12);
    expect(report.result.problems).toEqual([]);
    const thumbs = (await call(ws, 3, 'data.thumbnails', { path: 'shapes', perClass: 2, size: 16 })) as {
      result: { classes: { images: { src: string }[] }[] };
    };
    expect(thumbs.result.classes.map((c) => c.images.length)).toEqual([2, 2, 2, 2]);
    expect(thumbs.result.classes[0]!.images[0]!.src).toMatch(/^data:image\/png;base64,/);
    ws.close();
  });

  it('lists sweeps from sweeps/ and opens one, a missing one a usage error naming it', async () => {
    const ws = pageSocket();
    await opened(ws);
    await expect(call(ws, 1, 'sweeps.list', {})).resolves.toEqual({ id: 1, ok: true, result: [] });
    const { dir } = createSweep(
      {
        name: 'ws',
        base: { data: 'shapes', recipe: { type: 'fineTune', epochs: 1 } },
        trials: 2,
        parameters: { batchSize: { type: 'choice', values: [8, 16] } },
      },
      { root: join(cwd, 'sweeps'), cwd },
    );
    const list = (await call(ws, 2, 'sweeps.list', {})) as { result: { dir: string; trials: number }[] };
    expect(list.result).toMatchObject([{ dir, trials: 2 }]);
    const shown = (await call(ws, 3, 'sweeps.show', { sweepDir: dir })) as { result: { trials: { status: string }[] } };
    expect(shown.result.trials.map((t) => t.status)).toEqual(['pending', 'pending']);
    const missing = await call(ws, 4, 'sweeps.show', { sweepDir: 'sweeps/nope' });
    expect(missing).toMatchObject({ ok: false, kind: 'usage' });
    expect(missing.error).toMatch(/no sweep .*sweeps\/nope/);
    ws.close();
  });
});

describe('socket policy', () => {
  const loopback = { host: '127.0.0.1', token: 'a-long-secret-token-1234' };
  const lan = { host: '0.0.0.0', token: 'a-long-secret-token-1234' };

  it('reads host names', () => {
    expect(hostName('127.0.0.1:7860')).toBe('127.0.0.1');
    expect(hostName('[::1]:80')).toBe('[::1]');
    expect(hostName(undefined)).toBeNull();
  });

  it('on loopback: this server’s own pages only, with the token', () => {
    const ok = { host: '127.0.0.1:7860', origin: 'http://127.0.0.1:7860', url: '/ws?token=a-long-secret-token-1234' };
    expect(checkSocket(loopback, ok)).toBeNull();
    expect(checkSocket(loopback, { ...ok, origin: undefined })).toBe('no Origin header');
    expect(checkSocket(loopback, { ...ok, url: '/ws' })).toBe('missing or wrong token');
    expect(checkSocket(loopback, { ...ok, url: 'http://[/ws?token=a-long-secret-token-1234' })).toBe(
      'missing or wrong token',
    );
    expect(checkSocket(loopback, { ...ok, origin: 'http://evil.example' })).toBe('cross-origin socket refused');
    expect(checkSocket(loopback, { ...ok, host: 'evil.example:7860', origin: 'http://evil.example:7860' })).toBe(
      'host not allowed',
    );
  });

  it('off loopback: the token is required', () => {
    const req = { host: '10.0.0.5:7860', origin: 'http://10.0.0.5:7860', url: '/ws' };
    expect(checkSocket(lan, req)).toBe('missing or wrong token');
    expect(checkSocket(lan, { ...req, url: '/ws?token=wrong' })).toBe('missing or wrong token');
    expect(checkSocket(lan, { ...req, url: '/ws?token=a-long-secret-token-1234' })).toBeNull();
  });
});

describe('the contract', () => {
  it('validates requests, naming the field', () => {
    expect(parseRequest('data.augmentPreview', { path: 'x' })).toEqual({
      path: 'x',
      seed: 0,
      rows: 4,
      cols: 5,
      size: 96,
    });
    expect(() => parseRequest('data.augmentPreview', { path: 'x', rows: 1000 })).toThrow(
      new ContractError('data.augmentPreview: rows: Too big: expected number to be <=12'),
    );
    expect(() => parseRequest('train.control', { jobId: 'j', command: { action: 'explode' } })).toThrow(
      /^train\.control: command\.action: /,
    );
    expect(() => parseRequest('app.info', { extra: 1 })).toThrow(/^app\.info: request: Unrecognized key/);
    expect(() => parseRequest('__proto__', {})).toThrow('unknown channel "__proto__"');
  });
});
