// listRuns: one summary per run folder, and the status each run's events imply.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns, RunStore, type RunEventType } from '../../../src-main/engine/runs/index.js';
import { checkpoint, deadPid, epochRecord, newMeta, tempRoot } from './helpers.js';

const at = (n: number) => new Date(Date.UTC(2026, 10, 21, 4, 58, n));

function runWith(root: string, n: number, events: [RunEventType, Record<string, unknown>?][]): RunStore {
  const run = RunStore.create(root, newMeta({ created: at(n) }));
  for (const [type, details] of events) run.appendEvent(type, details);
  return run;
}

describe('listRuns', () => {
  it('reads each run status from its events', () => {
    const root = tempRoot();
    const runs = {
      done: runWith(root, 0, [['start'], ['early-stop'], ['done']]),
      stopped: runWith(root, 1, [['start'], ['pause'], ['stop']]),
      failed: runWith(root, 2, [['start'], ['error', { message: 'out of memory' }]]),
      running: runWith(root, 3, [['start'], ['pause'], ['resume']]),
      killed: runWith(root, 4, [['start', { pid: deadPid() }]]),
      elsewhere: runWith(root, 5, [['start', { host: 'some-other-machine' }]]),
      never: runWith(root, 6, []),
      resumed: runWith(root, 7, [['start', { pid: deadPid() }], ['stop'], ['start'], ['resume-from-checkpoint']]),
      rerun: runWith(root, 8, [['start'], ['done'], ['start', { pid: deadPid() }]]),
    };
    const status = Object.fromEntries(listRuns(root).map((s) => [s.id, s.status]));
    expect(status).toEqual({
      [runs.done.id]: 'done',
      [runs.stopped.id]: 'stopped',
      [runs.failed.id]: 'failed',
      [runs.running.id]: 'running',
      [runs.killed.id]: 'killed',
      [runs.elsewhere.id]: 'killed',
      [runs.never.id]: 'killed',
      [runs.resumed.id]: 'running',
      [runs.rerun.id]: 'killed',
    });
  });

  it('summarises metrics: epochs, best, final, seconds; oldest first', async () => {
    const root = tempRoot();
    const empty = runWith(root, 9, [['start']]);
    const run = runWith(root, 1, [['start']]);
    const valLoss = [0.9, 0.3, 0.5];
    valLoss.forEach((v, e) => run.appendEpoch(epochRecord(e, v)));
    run.appendEvent('done');

    const [a, b] = listRuns(root);
    expect(a).toEqual({
      id: run.id,
      dir: run.dir,
      created: at(1).toISOString(),
      arch: 'resnet_micro',
      epochs: 3,
      best: { epoch: 1, val_loss: 0.3, val_accuracy: 0.71 },
      final: { epoch: 2, loss: 0.5, accuracy: 0.8, val_loss: 0.5, val_accuracy: 0.72 },
      seconds: 6,
      status: 'done',
    });
    expect(b).toMatchObject({ id: empty.id, epochs: 0, best: null, final: null, seconds: 0, status: 'running' });

    // With a best/ checkpoint, best is the epoch it holds whatever metric chose it.
    await run.writeCheckpoint(checkpoint(2), { best: true });
    expect(listRuns(root)[0]!.best).toEqual({ epoch: 2, val_loss: 0.5, val_accuracy: 0.72 });
  });

  it('passes over folders that are not runs and reports damaged ones', () => {
    const root = tempRoot();
    const good = runWith(root, 0, [['start'], ['done']]);
    mkdirSync(join(root, 'notes'));
    writeFileSync(join(root, 'README.txt'), 'my runs');
    mkdirSync(join(root, '.tmp-x'));
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', 'run.json'), '{');
    const badMetrics = runWith(root, 1, [['start']]);
    appendFileSync(join(badMetrics.dir, 'metrics.jsonl'), '{"type":"epoch","epoch":"zero"}\n');

    const skipped: [string, string][] = [];
    const runs = listRuns(root, { onSkip: (dir, reason) => skipped.push([dir, reason]) });
    expect(runs.map((r) => r.id)).toEqual([good.id]);
    expect(skipped.map(([d]) => d)).toEqual([badMetrics.dir, join(root, 'broken')].sort());
    expect(skipped.find(([d]) => d === badMetrics.dir)![1]).toMatch(/metrics\.jsonl:1: epoch: /);
    expect(listRuns(join(root, 'missing'))).toEqual([]);
  });
});
