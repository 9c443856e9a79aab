// Raw HTTP and WebSocket bytes for the server's hardening tests: what a hostile client can send
// that a well-behaved library would refuse to (bad request lines, bad frames), and a real
// `anneal serve` process (the fixture) to send them to.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const FIXTURE = fileURLToPath(new URL('./fixture-server.ts', import.meta.url));

export interface Fixture {
  child: ChildProcess;
  port: number;
  token: string | null;
  url: string;
  origin: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the fixture server in its own process and waits for its address. */
export async function startFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture did not start: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /Anneal is at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => reject(new Error(`fixture exited: ${out}`)));
  });
  const u = new URL(url);
  return {
    child,
    port: Number(u.port),
    token: u.searchParams.get('token'),
    url,
    origin: u.origin,
    output: () => out,
    exited,
  };
}

/**
 * Sends raw bytes and collects what comes back until the server closes the connection or `ms`
 * pass. `status`: the HTTP status of the first response line, null if none came.
 */
export function rawExchange(
  port: number,
  bytes: Buffer | string,
  ms = 5000,
): Promise<{ data: Buffer; status: number | null; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data.subarray(0, 20).toString('latin1'));
      resolve({ data, status: m ? Number(m[1]) : null, closed });
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(bytes);
  });
}

/** A GET request line and headers, exactly as given (no encoding of `target`). */
export function httpRequest(target: string, port: number, headers: Record<string, string> = {}): Buffer {
  const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** A WebSocket upgrade request for `target`. */
export function upgradeRequest(target: string, port: number, headers: Record<string, string> = {}): Buffer {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export interface FrameOptions {
  fin?: boolean;
  /** RSV1–3 bits (0–7). */
  rsv?: number;
  mask?: boolean;
  /** The length the header declares, when it should lie about the payload. */
  declared?: number;
}

/** One WebSocket frame (RFC 6455 §5.2), masked as a client must unless told otherwise. */
export function wsFrame(opcode: number, payload: Buffer, o: FrameOptions = {}): Buffer {
  const { fin = true, rsv = 0, mask = true } = o;
  const len = o.declared ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** The close code in the first close frame the server sent after its 101 response, if any. */
export function closeCode(data: Buffer): number | null {
  const end = data.indexOf('\r\n\r\n');
  let i = end < 0 ? 0 : end + 4;
  while (i + 2 <= data.length) {
    const opcode = data[i]! & 0x0f;
    let len = data[i + 1]! & 0x7f;
    let at = i + 2;
    if (len === 126) {
      len = data.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      len = Number(data.readBigUInt64BE(at));
      at += 8;
    }
    if (opcode === 0x8) return len >= 2 ? data.readUInt16BE(at) : 1005;
    i = at + len;
  }
  return null;
}

/** A small seeded PRNG (mulberry32), so that a failing fuzz case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
