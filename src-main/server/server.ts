// `anneal serve`: the renderer over HTTP and the contract over one WebSocket per page, for a GPU
// box without a display, and for the end-to-end tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallFrame, type EventFrame, type ReplyFrame } from '../contract/index.js';
import { JobManager } from '../jobs/index.js';
import { createHandlers, dispatch } from '../service/index.js';
import { allowHost, checkSocket, type AccessPolicy } from './security.js';
import { serveStatic } from './static.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Required of every socket; must be set for a host that is not loopback. */
  token: string | null;
  cwd: string;
  runsDir?: string;
  rendererDir: string;
  version: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Biggest frame accepted: a dropped image for Predict, base64. */
const MAX_FRAME = 48 * 1024 * 1024;

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const policy: AccessPolicy = { host: o.host, token: o.token };
  const jobs = new JobManager();
  const handlers = createHandlers({ mode: 'serve', version: o.version, cwd: o.cwd, runsDir: o.runsDir, jobs });
  const sockets = new Set<WebSocket>();

  const http: Server = createServer((req, res) => {
    if (!allowHost(policy, req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('host not allowed');
      return;
    }
    serveStatic(o.rendererDir, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  http.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '/';
    const refused =
      new URL(url, 'http://x').pathname !== '/ws'
        ? 'not found'
        : checkSocket(policy, { host: req.headers.host, origin: req.headers.origin, url });
    if (refused) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${refused}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (data) => {
      let frame: CallFrame;
      try {
        frame = CallFrame.parse(JSON.parse(data.toString()));
      } catch {
        ws.close(1003, 'malformed frame');
        return;
      }
      const outcome = await dispatch(handlers, frame.channel, frame.payload);
      const reply: ReplyFrame = outcome.ok
        ? { id: frame.id, ok: true, result: outcome.result }
        : { id: frame.id, ok: false, error: outcome.error, kind: outcome.kind };
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
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
  const url = `http://${shownHost}:${port}/${o.token ? `?token=${encodeURIComponent(o.token)}` : ''}`;
  return {
    url,
    port,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await jobs.dispose();
      await new Promise<void>((resolve) => {
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
