// Issue 15, items 1–2: no request line, upgrade or WebSocket frame may end `anneal serve`. A real
// server process (the fixture) gets a few hundred malformed URLs (plain and as upgrades) and
// frames, seeded so that a failure can be replayed; every attempt must end in a status code or a
// close code, and the server must still answer afterwards. Loopback only; bounded (each attempt
// waits at most a few seconds, ten at a time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  closeCode,
  httpRequest,
  prng,
  rawExchange,
  startFixture,
  upgradeRequest,
  wsFrame,
  type Fixture,
} from './raw.js';

/** Request targets that once killed the process, and their relatives. */
const NASTY = [
  '/%',
  '/%zz',
  '/%c0',
  '/%E0%A4%A',
  '/%ff%fe',
  '/%00',
  '/a%2',
  '/%%',
  '/%u0041',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2fetc/passwd',
  '/%ed%a0%80',
  'http://[',
  'http://[::1',
  'http://[/ws',
  'ws://[/ws',
  'http://:/',
  'http://%/',
  'http://%zz/',
  'http://[::1]:99999/',
  'http://127.0.0.1:7860/%',
  'http://x:-1/',
  'http://a@[/',
  'http://[v1.x]/',
  'http:/',
  'http:',
  '//',
  '///',
  '//%',
  '*',
  'x',
  '?',
  '/ws%',
  '/ws?token=%',
  '/ws?%',
  '/ws#%',
  '/ws/..',
  `/${'%'.repeat(2000)}`,
  `/${'a'.repeat(7000)}`,
];

const ALPHABET = "%%%%0123456789abcdefABCDEFzg/./[]:@?#\\~é!$&'()*+,;=ü".split('');
const PREFIXES = ['/', '/ws', 'http://', 'http://[', 'ws://127.0.0.1/', '//', 'http://127.0.0.1:1/', ''];

function randomTargets(n: number, rand: () => number): string[] {
  return Array.from({ length: n }, () => {
    const len = 1 + Math.floor(rand() * 30);
    let s = PREFIXES[Math.floor(rand() * PREFIXES.length)]!;
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
    return s;
  });
}

/** Runs `fn` over `items`, `limit` at a time. */
async function inBatches<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit) out.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  return out;
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Frames a hostile or broken client might send: (name, bytes after the handshake). */
function frames(rand: () => number): [string, Buffer][] {
  const text = (s: string | Buffer, o = {}) => wsFrame(0x1, Buffer.from(s), o);
  const fixed: [string, Buffer][] = [
    ['text 0xff', text(Buffer.from([0xff]))],
    ['text overlong NUL', text(Buffer.from([0xc0, 0x80]))],
    ['text cut 3-byte', text(Buffer.from([0xe0, 0xa4]))],
    ['text surrogate', text(Buffer.from([0xed, 0xa0, 0x80]))],
    ['text 49 MB declared', wsFrame(0x1, Buffer.alloc(1024, 0x20), { declared: 49 * 1024 * 1024 })],
    ['text 4 GB declared', wsFrame(0x1, Buffer.alloc(16), { declared: 0xffffffff })],
    ['binary 49 MB declared', wsFrame(0x2, Buffer.alloc(1024), { declared: 49 * 1024 * 1024 })],
    ['unmasked', text('{"id":1,"channel":"app.info","payload":{}}', { mask: false })],
    ['rsv1', text('{}', { rsv: 4 })],
    ['rsv3', text('{}', { rsv: 7 })],
    ['continuation first', wsFrame(0x0, Buffer.from('x'))],
    ['fragmented ping', wsFrame(0x9, Buffer.from('p'), { fin: false })],
    ['ping 200 bytes', wsFrame(0x9, Buffer.alloc(200, 1))],
    ['close code 999', wsFrame(0x8, Buffer.from([0x03, 0xe7]))],
    ['close code 5000', wsFrame(0x8, Buffer.from([0x13, 0x88]))],
    ['close 1 byte', wsFrame(0x8, Buffer.from([0x03]))],
    ['close bad reason', wsFrame(0x8, Buffer.from([0x03, 0xe8, 0xff, 0xfe]))],
    ['binary', wsFrame(0x2, Buffer.from('{"id":1,"channel":"app.info","payload":{}}'))],
    ['not json', text('not json')],
    ['half json', text('{')],
    ['array', text('[]')],
    ['null', text('null')],
    ['negative id', text('{"id":-1,"channel":"app.info","payload":{}}')],
    ['unknown channel', text('{"id":1,"channel":"x","payload":{}}')],
    ['proto channel', text('{"id":1,"channel":"__proto__","payload":{}}')],
    ['deep array 100k', text(nested(100_000))],
    ['deep payload', text(`{"id":1,"channel":"data.inspect","payload":${nested(50_000)}}`)],
    ['long channel', text(JSON.stringify({ id: 1, channel: 'a'.repeat(100_000), payload: {} }))],
  ];
  for (let op = 3; op <= 15; op++) if (op < 8 || op > 10) fixed.push([`opcode ${op}`, wsFrame(op, Buffer.from('x'))]);
  const random: [string, Buffer][] = Array.from({ length: 100 }, (_, i) => {
    const payload = Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
    const opcode = Math.floor(rand() * 16);
    const o = { fin: rand() > 0.2, rsv: rand() > 0.8 ? Math.floor(rand() * 8) : 0, mask: rand() > 0.1 };
    return [`random ${i} (op ${opcode})`, wsFrame(opcode, payload, o)];
  });
  return [...fixed, ...random];
}

describe('anneal serve survives malformed requests and frames (fuzz)', () => {
  let fx: Fixture;
  const rand = prng(15);
  const targets = [...NASTY, ...randomTargets(160, rand)];

  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(() => {
    fx?.child.kill('SIGKILL');
  });

  const upgradeHeaders = () => ({ Origin: fx.origin });
  const wsTarget = () => `/ws${fx.token ? `?token=${encodeURIComponent(fx.token)}` : ''}`;

  it(`answers every malformed request line with a status code (${NASTY.length + 160} targets)`, async () => {
    const results = await inBatches(targets, 10, async (t) => ({
      t,
      ...(await rawExchange(fx.port, httpRequest(t, fx.port), 15_000)),
    }));
    const bad = results.filter((r) => r.status === null || r.status >= 500).map((r) => `${r.t} → ${r.status}`);
    expect(bad).toEqual([]);
    expect(fx.child.exitCode).toBeNull();
  }, 120_000);

  it('answers every malformed upgrade with a status code, never a socket', async () => {
    const results = await inBatches(targets, 10, async (t) => ({
      t,
      ...(await rawExchange(fx.port, upgradeRequest(t, fx.port, upgradeHeaders()), 15_000)),
    }));
    const bad = results
      .filter((r) => r.status === null || r.status >= 500 || r.status === 101)
      .map((r) => `${r.t} → ${r.status}`);
    expect(bad).toEqual([]);
    expect(fx.child.exitCode).toBeNull();
  }, 120_000);

  it('refuses a broken handshake on the right path, with the token, with a 4xx', async () => {
    const head = (lines: string[]) =>
      Buffer.from(
        [`GET ${wsTarget()} HTTP/1.1`, `Host: 127.0.0.1:${fx.port}`, `Origin: ${fx.origin}`, ...lines, '', ''].join(
          '\r\n',
        ),
        'latin1',
      );
    const upgrade = ['Upgrade: websocket', 'Connection: Upgrade'];
    const broken = [
      head([...upgrade, 'Sec-WebSocket-Version: 13']),
      head([...upgrade, 'Sec-WebSocket-Key: short', 'Sec-WebSocket-Version: 13']),
      head([...upgrade, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 99']),
      head([...upgrade, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']),
      head(['Upgrade: h2c', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']),
    ];
    const statuses = await Promise.all(broken.map(async (b) => (await rawExchange(fx.port, b, 15_000)).status));
    expect(statuses.filter((s) => s === null || s < 400 || s >= 500)).toEqual([]);
    expect(fx.child.exitCode).toBeNull();
  });

  it('ends every malformed frame with a close code and keeps serving', async () => {
    const list = frames(rand);
    // A frame the server accepts leaves its socket open: the wait bounds those (generous, for a
    // loaded machine); a refused one ends as soon as the server closes it.
    const results = await inBatches(list, 20, async ([name, bytes]) => {
      const r = await rawExchange(
        fx.port,
        Buffer.concat([upgradeRequest(wsTarget(), fx.port, upgradeHeaders()), bytes]),
        4000,
      );
      return { name, status: r.status, code: closeCode(r.data), closed: r.closed };
    });
    // Every attempt got its socket; the server neither died nor answered with a 5xx.
    expect(results.filter((r) => r.status !== 101).map((r) => `${r.name} → ${r.status}`)).toEqual([]);
    expect(fx.child.exitCode).toBeNull();
    const code = (name: string) => results.find((r) => r.name === name)?.code;
    // RFC 6455 §7.4.1: 1007 for text that is not UTF-8 (or not the JSON the protocol defines),
    // 1009 for a message too big to process, 1002 for a protocol error, 1003 for a data type
    // this endpoint does not accept.
    expect([code('text 0xff'), code('text overlong NUL'), code('text surrogate')]).toEqual([1007, 1007, 1007]);
    expect([code('text 49 MB declared'), code('text 4 GB declared'), code('binary 49 MB declared')]).toEqual([
      1009, 1009, 1009,
    ]);
    expect([code('unmasked'), code('rsv1'), code('opcode 3'), code('ping 200 bytes')]).toEqual([
      1002, 1002, 1002, 1002,
    ]);
    expect(code('binary')).toBe(1003);
    expect([code('not json'), code('array'), code('deep array 100k')]).toEqual([1007, 1007, 1007]);
  }, 240_000);

  it('still serves the page and the contract after all of it', async () => {
    const page = await fetch(fx.url);
    expect(page.status).toBe(200);
    const ws = new WebSocket(`ws://127.0.0.1:${fx.port}${wsTarget()}`, { headers: upgradeHeaders() });
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ id: 7, channel: 'app.info', payload: {} })));
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
    });
    ws.close();
    expect(reply).toMatchObject({ id: 7, ok: true, result: { mode: 'serve' } });
    expect(fx.child.exitCode).toBeNull();
  });
});
