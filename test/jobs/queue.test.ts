// Issue 15, items 4 and 6 (the job side): jobs queue for slots (one training job at a time by
// default, light jobs alongside), a queued job has no process and can be stopped, and shutdown
// asks a training job to stop at its next step before ending its process. A fake job process
// (fake-job.mjs) speaks the real protocol without TF.js.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-main/contract/index.js';
import { JobManager, type JobManagerOptions } from '../../src-main/jobs/index.js';

/** The smallest valid schedule: the server checks the config before forking even a fake job. */
const RECIPE = { recipe: { type: 'fineTune', epochs: 1, baseLr: 1e-3 } };
const FAKE = fileURLToPath(new URL('./fake-job.mjs', import.meta.url));
const managers: JobManager[] = [];

function manager(o: JobManagerOptions = {}): JobManager {
  const m = new JobManager({ entry: FAKE, ...o });
  managers.push(m);
  return m;
}
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.dispose()));
});

const runDir = () => mkdtempSync(join(tmpdir(), 'anneal-queue-'));
const train = (dir: string, ignoreStop = false) => ({
  kind: 'train' as const,
  config: { data: dir, name: ignoreStop ? 'ignore-stop' : 'fake', ...RECIPE },
  out: dir,
});
const predict = (model: 'quick' | 'hang') => ({ kind: 'predict' as const, model, image: 'x.png', top: 1 });

/** Resolves when job `id` reaches `state`. */
function reaches(m: JobManager, id: string, state: JobInfo['state']): Promise<JobInfo> {
  return new Promise((resolve) => {
    if (m.get(id).state === state) return resolve(m.get(id));
    const off = m.on((event, payload) => {
      if (event === 'job.update' && (payload as JobInfo).id === id && (payload as JobInfo).state === state) {
        off();
        resolve(payload as JobInfo);
      }
    });
  });
}

describe('the job queue', () => {
  it('runs one training job at a time; the rest wait in jobs.list, in order', async () => {
    const m = manager();
    const dirs = [runDir(), runDir(), runDir()];
    const [a, b, c] = dirs.map((d) => m.start(train(d)));
    expect([a!.state, b!.state, c!.state]).toEqual(['starting', 'queued', 'queued']);
    expect(m.list().map((j) => j.ahead)).toEqual([null, 1, 2]);
    await reaches(m, a!.id, 'running');
    // Light work runs beside the training job.
    await expect(m.run(predict('quick'))).resolves.toEqual({ label: 'quick' });
    expect(m.get(b!.id).state).toBe('queued');
    m.control(a!.id, { action: 'stop', reason: 'next' });
    await reaches(m, b!.id, 'running');
    expect(m.get(a!.id).state).toBe('stopped');
    expect(m.get(c!.id)).toMatchObject({ state: 'queued', ahead: 1 });
    // One process per job that ran, never one for a queued job.
    expect(readFileSync(join(dirs[0]!, 'pids'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(() => readFileSync(join(dirs[2]!, 'pids'))).toThrow();
  });

  it('stops a queued job without ever starting it', async () => {
    const m = manager();
    const a = m.start(train(runDir()));
    const dir = runDir();
    const b = m.start(train(dir));
    expect(() => m.control(b.id, { action: 'pause' })).toThrow('the job is queued: it starts when a slot is free');
    expect(m.control(b.id, { action: 'stop' })).toMatchObject({ state: 'stopped', ahead: null });
    await expect(m.wait(b.id)).rejects.toThrow('stopped');
    await reaches(m, a.id, 'running');
    expect(() => readFileSync(join(dir, 'pids'))).toThrow();
  });

  it('bounds light jobs too, and takes limits', async () => {
    const m = manager({ limits: { light: 2, training: 2 } });
    const jobs = Array.from({ length: 5 }, () => m.start(predict('hang')));
    expect(jobs.map((j) => j.state)).toEqual(['starting', 'starting', 'queued', 'queued', 'queued']);
    const t = [m.start(train(runDir())), m.start(train(runDir()))];
    expect(t.map((j) => j.state)).toEqual(['starting', 'starting']);
    expect(() => new JobManager({ limits: { training: 0 } })).toThrow('job limit training must be a whole number ≥ 1');
  });

  it('shuts down: queued jobs dropped, training asked to stop at its next step, a stuck one ended', async () => {
    const m = manager({ stopGraceMs: 500 });
    const polite = runDir();
    const stuck = runDir();
    const a = m.start(train(polite));
    await reaches(m, a.id, 'running');
    const q = m.start(train(runDir()));
    const m2 = manager({ stopGraceMs: 300 });
    const s = m2.start(train(stuck, true));
    await reaches(m2, s.id, 'running');
    await Promise.all([m.dispose(), m2.dispose()]);
    expect(m.get(a.id).state).toBe('stopped');
    expect(readFileSync(join(polite, 'events'), 'utf8')).toBe('stopped: the server shut down\n');
    expect(m.get(q.id)).toMatchObject({ state: 'stopped', error: 'the server shut down' });
    expect(m2.get(s.id).state).toBe('stopped');
    expect(() => m.start(predict('quick'))).toThrow('the server is shutting down');
  });
});
