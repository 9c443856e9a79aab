// Issue 15, item 6: SIGTERM during a long in-process request closed the port but left the process
// alive ≥ 30 s. Now the server exits once its port, sockets and jobs are closed, and a training
// job is asked to stop at its next step first (its run records the stop), its process gone too.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFixture } from './raw.js';

/** The smallest valid schedule: the server checks the config before forking even a fake job. */
const RECIPE = { recipe: { type: 'fineTune', epochs: 1, baseLr: 1e-3 } };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SIGTERM', () => {
  it('ends jobs cleanly and exits, with an in-process request still running', async () => {
    const fx = await startFixture({ ANNEAL_FIXTURE_FAKE_JOBS: '1', ANNEAL_FIXTURE_BUSY: '1' });
    const runDir = mkdtempSync(join(tmpdir(), 'anneal-sigterm-'));
    const ws = new WebSocket(`ws://127.0.0.1:${fx.port}/ws?token=${fx.token}`, { headers: { Origin: fx.origin } });
    const running = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        const f = JSON.parse(d.toString()) as { event?: string; payload?: { state?: string } };
        if (f.event === 'job.update' && f.payload?.state === 'running') resolve();
      }),
    );
    await new Promise((r) => ws.once('open', r));
    ws.send(
      JSON.stringify({ id: 1, channel: 'train.start', payload: { config: { data: runDir, name: 'fake', ...RECIPE } } }),
    );
    await running;
    // A slow in-process request in flight as the signal arrives (2000 images generated in-process).
    ws.send(JSON.stringify({ id: 2, channel: 'data.makeSample', payload: { dir: 'big', imagesPerClass: 500 } }));
    const pid = Number(readFileSync(join(runDir, 'pids'), 'utf8').trim());
    expect(alive(pid)).toBe(true);

    fx.child.kill('SIGTERM');
    const { code } = await fx.exited;
    expect(code).toBe(0);
    expect(fx.output()).toContain('SIGTERM: stopping the server and its jobs');
    expect(readFileSync(join(runDir, 'events'), 'utf8')).toBe('stopped: the server shut down\n');
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(runDir, 'pids'))).toBe(true);
  }, 60_000);
});
