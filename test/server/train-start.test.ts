// Issue 15, item 4: a train.start with a config nested 100k deep forked a job process that then
// failed to receive it ("Maximum call stack size exceeded") and sat idle forever, its job
// "starting" forever. The contract bounds nesting and size, and the config is validated before
// any process is forked: a bad one is one usage line, and no job exists.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from '../../src-main/contract/index.js';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers, dispatch } from '../../src-main/service/index.js';

const FAKE = fileURLToPath(new URL('../jobs/fake-job.mjs', import.meta.url));

function deep(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function setup() {
  const jobs = new JobManager({ entry: FAKE });
  const handlers = createHandlers({ mode: 'serve', version: 't', cwd: '/tmp', jobs });
  return { jobs, call: (channel: string, payload: unknown) => dispatch(handlers, channel, payload) };
}

describe('train.start is validated before a job process exists', () => {
  it('refuses a config nested 100k deep, naming the bound', async () => {
    const { jobs, call } = setup();
    const config = { data: 'x', ...deep(100_000) };
    await expect(call('train.start', { config })).resolves.toEqual({
      ok: false,
      kind: 'usage',
      error: `train.start: config: nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    await expect(call('lrFind.run', { config })).resolves.toMatchObject({ ok: false, kind: 'usage' });
    await expect(call('data.augmentPreview', { path: 'x', augment: deep(1000) })).resolves.toMatchObject({
      ok: false,
      error: `data.augmentPreview: augment: nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(jobs.list()).toEqual([]);
  });

  it('refuses an oversized config', async () => {
    const { jobs, call } = setup();
    const config = { data: 'x', description: 'y'.repeat(MAX_JSON_BYTES) };
    await expect(call('train.start', { config })).resolves.toEqual({
      ok: false,
      kind: 'usage',
      error: `train.start: config: larger than ${MAX_JSON_BYTES / 1024} KiB of JSON`,
    });
    expect(jobs.list()).toEqual([]);
  });

  it('refuses a config the engine would refuse, in one line, before forking', async () => {
    const { jobs, call } = setup();
    const r = await call('train.start', { config: { data: 'x', epochz: 3 } });
    expect(r).toMatchObject({ ok: false, kind: 'usage' });
    expect((r as { error: string }).error).toMatch(/epochz/);
    const lr = await call('lrFind.run', { config: { data: 'x', valSplit: 7 } });
    expect(lr).toMatchObject({ ok: false, kind: 'usage' });
    expect((lr as { error: string }).error).toMatch(/valSplit/);
    expect(jobs.list()).toEqual([]);
  });
});
