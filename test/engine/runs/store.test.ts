// run.json, split.json, metrics.jsonl and events.jsonl: round trips, crash tolerance, resume.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  makeRunId,
  manifestHash,
  RunStore,
  RunStoreError,
  type StepInput,
} from '../../../src-main/engine/runs/index.js';
import { epochRecord, newMeta, step, tempRoot } from './helpers.js';

const openError = (dir: string): RunStoreError => {
  try {
    RunStore.open(dir);
  } catch (e) {
    if (e instanceof RunStoreError) return e;
    throw e;
  }
  throw new Error(`opened ${dir}`);
};

describe('run.json', () => {
  it('round-trips through create and open', () => {
    const root = tempRoot();
    const created = new Date('2026-11-21T04:58:03.250Z');
    const store = RunStore.create(root, newMeta({ created }));
    expect(store.id).toMatch(/^2026-11-21T04-58-03-resnet_micro-[0-9a-f]{4}$/);
    expect(store.dir).toBe(join(root, store.id));
    expect(readdirSync(store.dir).sort()).toEqual(['checkpoints', 'events.jsonl', 'metrics.jsonl', 'run.json']);
    const opened = RunStore.open(store.dir);
    expect(opened.meta).toEqual(store.meta);
    expect(opened.meta).toMatchObject({
      ...newMeta(),
      format: 'anneal-run',
      version: 1,
      created: created.toISOString(),
    });
    // Readable: indented, and the fields a person looks for first come first.
    const text = readFileSync(join(store.dir, 'run.json'), 'utf8');
    expect(Object.keys(JSON.parse(text)).slice(0, 5)).toEqual(['format', 'version', 'id', 'created', 'arch']);
    expect(text).toContain('\n  "arch": "resnet_micro"');
  });

  it('gives runs made in the same second different ids', () => {
    const root = tempRoot();
    const created = new Date('2026-01-01T00:00:00Z');
    const ids = new Set(Array.from({ length: 20 }, () => RunStore.create(root, newMeta({ created })).id));
    expect(ids.size).toBe(20);
    expect(makeRunId('timm/resnet 50', created)).toMatch(/^2026-01-01T00-00-00-timm_resnet_50-[0-9a-f]{4}$/);
  });

  it('refuses bad metadata before making a folder', () => {
    const root = tempRoot();
    const bad = newMeta();
    bad.dataset.manifestHash = 'abc';
    expect(() => RunStore.create(root, bad)).toThrow(/run\.json: dataset\.manifestHash: expected a sha256/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('hashes the manifest independently of listing order', () => {
    const files = [
      { path: 'dog/1.jpg', label: 'dog', size: 10, mtime: 1700000000000 },
      { path: 'cat/2.jpg', label: 'cat', size: 20, mtime: 1700000000001.5 },
    ];
    const expected = createHash('sha256')
      .update('cat/2.jpg\tcat\t20\t1700000000001.5\ndog/1.jpg\tdog\t10\t1700000000000\n')
      .digest('hex');
    expect(manifestHash(files)).toBe(expected);
    expect(manifestHash([...files].reverse())).toBe(expected);
    expect(manifestHash([{ ...files[0]!, size: 11 }, files[1]!])).not.toBe(expected);
  });
});

describe('opening something that is not a run', () => {
  const root = () => {
    const r = tempRoot();
    return { r, run: RunStore.create(r, newMeta()) };
  };

  it('names the problem in one line', () => {
    const { r, run } = root();
    const cases: [string, RegExp][] = [];
    cases.push([join(r, 'nope'), /cannot open run .*nope: ENOENT/]);
    writeFileSync(join(r, 'file.txt'), 'x');
    cases.push([join(r, 'file.txt'), /file\.txt is not a run folder \(not a folder\)/]);
    mkdirSync(join(r, 'photos'));
    cases.push([join(r, 'photos'), /photos is not an Anneal run folder \(no run\.json\)/]);
    for (const [name, body] of [
      ['truncated', '{"format": "anneal-run", "id": '],
      ['foreign', '{"name": "some other tool"}'],
      ['damaged', JSON.stringify({ ...run.meta, dataset: { ...run.meta.dataset, train: -1 } })],
      ['array', '[]'],
    ] as const) {
      mkdirSync(join(r, name));
      writeFileSync(join(r, name, 'run.json'), body);
    }
    cases.push([join(r, 'truncated'), /truncated\/run\.json is not valid JSON: /]);
    cases.push([join(r, 'foreign'), /foreign\/run\.json is not an Anneal run's run\.json \(format undefined\)/]);
    cases.push([join(r, 'damaged'), /damaged\/run\.json: dataset\.train: /]);
    cases.push([join(r, 'array'), /array\/run\.json is not an Anneal run's run\.json/]);
    for (const [dir, message] of cases) {
      const e = openError(dir);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    }
  });
});

describe('split.json', () => {
  it('holds exactly the train and val files, and how they were split', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    expect(run.readSplit()).toBeNull();
    const split = {
      train: [
        { path: 'cat/1.jpg', label: 0 },
        { path: 'dog/1.jpg', label: 1 },
      ],
      val: [{ path: 'dog/2.jpg', label: 1 }],
      method: 'stratified' as const,
      seed: 42,
      valFraction: 0.2,
    };
    run.writeSplit(split);
    // A sample's other fields stay out; the method, seed and fraction stay in (a resumed run keeps them).
    expect(RunStore.open(run.dir).readSplit()).toEqual(split);
    run.writeSplit({ train: [{ path: 'cat/1.jpg', label: 0, width: 3 } as never], val: [] });
    expect(RunStore.open(run.dir).readSplit()).toEqual({ train: [{ path: 'cat/1.jpg', label: 0 }], val: [] });
  });
});

describe('metrics.jsonl', () => {
  it('appends one line per record and reads them back', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const s: StepInput = { ...step(0, 0), momentum: 0.95, updateRatio: [1e-3, 2e-3], gradNorm: 1.5 };
    run.appendStep(s);
    run.appendStep({ ...step(1, 0), loss: NaN, momentum: null });
    run.appendEpoch({ ...epochRecord(0), val_loss: null, val_accuracy: null });
    const lines = readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\{"type":"step","step":0,/);
    const { steps, epochs } = run.readMetrics();
    expect(steps).toEqual([
      { type: 'step', ...s },
      { type: 'step', ...step(1, 0), loss: null, momentum: null },
    ]);
    expect(epochs).toEqual([{ type: 'epoch', ...epochRecord(0), val_loss: null, val_accuracy: null }]);
  });

  it('refuses a record a reader could not read, before writing it', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    expect(() => run.appendStep({ ...step(0, 0), lr: [NaN] })).toThrow(/step record: lr\[0\]: /);
    expect(() => run.appendEpoch({ ...epochRecord(0), epoch: -1 })).toThrow(/epoch record: epoch: /);
    expect(() => run.appendStep({ ...step(0, 0), type: 'epoch' })).not.toThrow();
    expect(run.readMetrics().steps).toHaveLength(1);
  });

  it('survives a crash mid-append: the partial last line is skipped, then trimmed', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    for (let i = 0; i < 3; i++) run.appendStep(step(i, 0));
    appendFileSync(join(run.dir, 'metrics.jsonl'), '{"type":"step","step":3,"epo');
    expect(run.readMetrics().steps.map((s) => s.step)).toEqual([0, 1, 2]);

    // The next process picks up the run and goes on appending: no record is glued to the stub.
    const resumed = RunStore.open(run.dir);
    resumed.appendStep(step(3, 0));
    resumed.appendEpoch(epochRecord(0));
    expect(resumed.readMetrics().steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    expect(resumed.readMetrics().epochs).toHaveLength(1);
    expect(readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8')).not.toContain('"epo{');
  });

  it('trims a partial line that has no newline anywhere before it', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    writeFileSync(join(run.dir, 'events.jsonl'), '{"time":"2026');
    expect(run.readEvents()).toEqual([]);
    run.appendEvent('stage', { index: 0 });
    expect(run.readEvents().map((e) => e.type)).toEqual(['stage']);
  });

  it('trims a partial line longer than the block it scans back in', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    for (let i = 0; i < 1000; i++) run.appendStep(step(i, 0));
    appendFileSync(join(run.dir, 'metrics.jsonl'), `{"type":"step","note":"${'x'.repeat(200_000)}`);
    RunStore.open(run.dir).appendStep(step(1000, 0));
    expect(run.readMetrics().steps.map((s) => s.step)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
  });

  it('names file and line for a damaged line in the middle', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    run.appendStep(step(0, 0));
    appendFileSync(join(run.dir, 'metrics.jsonl'), 'garbage\n');
    run.appendStep(step(1, 0));
    expect(() => run.readMetrics()).toThrow(/metrics\.jsonl:2: not valid JSON/);
  });

  it('skips kinds of record it does not know (a later version may add some)', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    appendFileSync(join(run.dir, 'metrics.jsonl'), '{"type":"lr-find","lr":1e-3,"loss":2}\n');
    run.appendStep(step(0, 0));
    expect(run.readMetrics().steps).toHaveLength(1);
  });
});

describe('events.jsonl', () => {
  it('records time, type and details; start gets the pid', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const before = Date.now();
    run.appendEvent('start', { resumed: false });
    run.appendEvent('lr-change', { from: [1e-3], to: [1e-4], time: 'ignored', type: 'ignored' });
    run.appendEvent('divergence', { loss: Infinity, step: 12 });
    const events = run.readEvents();
    expect(events.map((e) => e.type)).toEqual(['start', 'lr-change', 'divergence']);
    expect(events[0]).toMatchObject({ pid: process.pid, resumed: false });
    expect(typeof events[0]!.host).toBe('string');
    expect(Date.parse(events[1]!.time)).toBeGreaterThanOrEqual(before - 1000);
    expect(events[1]).toMatchObject({ from: [1e-3], to: [1e-4] });
    expect(events[2]!.loss).toBeNull(); // JSON has no Infinity
  });
});

describe('truncateMetricsAfter', () => {
  it('makes every epoch of a resumed run appear exactly once', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    // Epochs 0–2 and their checkpoints; the process dies during epoch 4, after epoch 3 was logged
    // but before its checkpoint was written.
    for (let e = 0; e < 5; e++) {
      for (let s = e * 10; s < (e === 4 ? 45 : (e + 1) * 10); s++) run.appendStep(step(s, e));
      if (e === 4) break;
      run.appendEpoch(epochRecord(e));
      if (e < 3) {
        await run.writeCheckpoint({
          weights: { specs: [], data: new ArrayBuffer(0) },
          optimizer: { json: null },
          state: {
            epoch: e,
            stage: 0,
            stageEpoch: e,
            step: (e + 1) * 10 - 1,
            scheduleState: null,
            rng: null,
            best: null,
          },
        });
      }
    }
    appendFileSync(join(run.dir, 'metrics.jsonl'), '{"type":"st');

    const resumed = RunStore.open(run.dir);
    const ckpt = await resumed.latestCheckpoint();
    expect(ckpt!.state).toMatchObject({ epoch: 2, step: 29 });
    const { removed } = resumed.truncateMetricsAfter(ckpt!.state);
    expect(removed).toBe(10 + 1 + 5); // epoch 3's steps and record, epoch 4's five steps
    expect(readdirSync(run.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    for (let e = 3; e < 5; e++) {
      for (let s = e * 10; s < (e + 1) * 10; s++) resumed.appendStep(step(s, e));
      resumed.appendEpoch(epochRecord(e));
    }
    const { steps, epochs } = resumed.readMetrics();
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps the kept lines byte for byte', () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const path = join(run.dir, 'metrics.jsonl');
    appendFileSync(path, '{"type":"step", "step":0, "epoch":0, "stage":0, "lr":[0.1], "loss":1, "note":"é"}\n');
    run.appendStep(step(1, 0));
    const before = readFileSync(path, 'utf8');
    run.appendStep(step(2, 0));
    run.truncateMetricsAfter({ step: 1, epoch: 0 });
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(path)).toBe(true);
  });
});
