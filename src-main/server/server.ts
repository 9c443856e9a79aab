// `anneal serve`: the renderer over HTTP and the contract over one WebSocket per page, for a GPU
// box without a display, and for the end-to-end tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallFrame, MAX_FRAME_BYTES, type EventFrame, type ReplyFrame } from '../contract/index.js';
import { JobManager, type JobManagerOptions } from '../jobs/index.js';
import { createHandlers, dispatch, MediaPool } from '../service/index.js';
import { allowHost, checkSocket, newToken, type AccessPolicy } from './security.js';
import { requestPath, serveStatic } from './static.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Required of every socket (docs/security.md); null: a fresh random one. */
  token: string | null;
  cwd: string;
  runsDir?: string;
  rendererDir: string;
  version: string;
  /** Job slots (default: one training job, two light ones) and the job script (tests). */
  jobs?: JobManagerOptions;
  /** Thumbnails are skipped for images over this many pixels (default 100 million). */
  thumbnailMaxPixels?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Close codes (RFC 6455 §7.4.1). ws itself closes with 1002 (protocol error), 1007 (text that is
 * not UTF-8) and 1009 (over maxPayload) once its 'error' has a listener; these are ours.
 */
const CLOSE_UNSUPPORTED = 1003;
const CLOSE_INVALID_PAYLOAD = 1007;

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const token = o.token ?? newToken();
  const policy: AccessPolicy = { host: o.host, token };
  const jobs = new JobManager(o.jobs);
  const media = new MediaPool();
  const handlers = createHandlers({
    mode: 'serve',
    version: o.version,
    cwd: o.cwd,
    runsDir: o.runsDir,
    jobs,
    media,
    thumbnailMaxPixels: o.thumbnailMaxPixels,
  });
  const sockets = new Set<WebSocket>();

  const http: Server = createServer((req, res) => {
    // Every request ends in a status code: a handler's exception is this response's 500, never
    // the process's end (issue 15, item 1).
    try {
      if (!allowHost(policy, req.headers.host)) {
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end('host not allowed');
        return;
      }
      serveStatic(o.rendererDir, req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error');
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  http.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    // A peer that resets the connection mid-handshake must not raise an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const refuse = (status: string, why: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}`);
    const url = req.url ?? '/';
    const path = requestPath(url);
    if (path === null) return refuse('400 Bad Request', 'bad request path');
    if (path !== '/ws') return refuse('404 Not Found', 'not found');
    const refused = checkSocket(policy, { host: req.headers.host, origin: req.headers.origin, url });
    if (refused) return refuse('403 Forbidden', refused);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // ws closes the socket with the right code (1002, 1007, 1009) and then reports here; without
    // a listener that report is an unhandled 'error' that ends the process (issue 15, item 2).
    ws.on('error', () => undefined);
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.close(CLOSE_UNSUPPORTED, 'text frames only');
      let frame: CallFrame;
      try {
        frame = CallFrame.parse(JSON.parse(data.toString()));
      } catch {
        ws.close(CLOSE_INVALID_PAYLOAD, 'not a call frame');
        return;
      }
      const outcome = await dispatch(handlers, frame.channel, frame.payload);
      const reply: ReplyFrame = outcome.ok
        ? { id: frame.id, ok: true, result: outcome.result }
        : { id: frame.id, ok: false, error: outcome.error, kind: outcome.kind };
      let text: string;
      try {
        text = JSON.stringify(reply);
      } catch (e) {
        // A result that does not serialize is this call's failure, not an unhandled rejection.
        text = JSON.stringify({ id: frame.id, ok: false, error: (e as Error).message, kind: 'failure' });
      }
      if (ws.readyState === ws.OPEN) ws.send(text);
    });
  });

  const unsubscribe = jobs.on((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies EventFrame);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`;
  return {
    url,
    port,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await Promise.all([jobs.dispose(), media.close()]);
      await new Promise<void>((resolve) => {
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
