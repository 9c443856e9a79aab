// checkpoints/: atomic folders, the newest complete one, best/, pruning, exact binary round trips.
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore, type CheckpointData } from '../../../src-main/engine/runs/index.js';
import { checkpoint, deadPid, newMeta, SPECS, tempRoot } from './helpers.js';

const weightsOf = (c: CheckpointData | null) => Array.from(new Float32Array(c!.weights.data));
const ckptDir = (run: RunStore) => join(run.dir, 'checkpoints');
const tempName = (label: string, pid: number) => `.tmp-${label}-${pid}-0123456789ab`;

describe('writing and reading checkpoints', () => {
  it('round-trips weights, optimizer JSON and state, non-finite numbers included', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    expect(await run.latestCheckpoint()).toBeNull();
    expect(await run.bestCheckpoint()).toBeNull();
    const input = checkpoint(0, { extra: { sampler: [1, 2] } });
    input.optimizer.json = { name: 'adam', beta1Power: 0.9, weird: [NaN, -Infinity, { $float: 'not a tag' }] };
    const info = await run.writeCheckpoint(input);
    expect(info).toEqual({
      name: 'epoch-0000',
      dir: join(ckptDir(run), 'epoch-0000'),
      epoch: 0,
      stage: 0,
      stageEpoch: 0,
      step: 9,
    });
    expect(readdirSync(info.dir).sort()).toEqual(['checkpoint.json', 'weights.bin']);

    const back = await RunStore.open(run.dir).latestCheckpoint();
    expect(back!.weights.specs).toEqual(SPECS);
    expect(weightsOf(back)).toEqual(new Array(16).fill(0.5));
    expect(back!.optimizer).toEqual({ json: input.optimizer.json });
    expect(back!.state).toEqual(input.state);
    expect((back!.state.scheduleState as { best: number }).best).toBe(Infinity);
    // A person can read the state.
    const json = JSON.parse(readFileSync(join(info.dir, 'checkpoint.json'), 'utf8'));
    expect(json.state).toMatchObject({ epoch: 0, step: 9, scheduleState: { best: { $float: 'Infinity' } } });
  });

  it('takes TF.js weight data in several buffers', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const a = new Float32Array(12).fill(1).buffer;
    const b = new Float32Array(4).fill(2).buffer;
    await run.writeCheckpoint({ ...checkpoint(0), weights: { specs: SPECS, data: [a, b] } });
    expect(weightsOf(await run.latestCheckpoint())).toEqual([...new Array(12).fill(1), ...new Array(4).fill(2)]);
  });

  it('round-trips large optimizer buffers exactly, through a binary file', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const m = new Float32Array(3_000_000);
    randomFillSync(new Uint32Array(m.buffer)); // every bit pattern: NaN payloads, -0, subnormals
    const backing = new Float32Array(1_000_001).fill(-0);
    backing[1] = Number.MIN_VALUE;
    const v = backing.subarray(1); // a view at an odd offset into a larger buffer
    const input = checkpoint(0);
    input.optimizer.buffers = { 'dense/kernel/m': m, 'dense/kernel/v': v, empty: new Float32Array(0) };
    const info = await run.writeCheckpoint(input);
    expect(statSync(join(info.dir, 'optimizer.bin')).size).toBe((m.length + v.length) * 4);
    expect(statSync(join(info.dir, 'checkpoint.json')).size).toBeLessThan(10_000);

    const back = (await RunStore.open(run.dir).latestCheckpoint())!.optimizer.buffers!;
    expect(Object.keys(back)).toEqual(['dense/kernel/m', 'dense/kernel/v', 'empty']);
    const bytes = (f: Float32Array) => Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    expect(bytes(back['dense/kernel/m']!).equals(bytes(m))).toBe(true);
    expect(bytes(back['dense/kernel/v']!).equals(bytes(v))).toBe(true);
    expect(back.empty).toHaveLength(0);
  });

  it('refuses bad input and leaves nothing behind', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const short = { ...checkpoint(0), weights: { specs: SPECS, data: new ArrayBuffer(60) } };
    await expect(run.writeCheckpoint(short)).rejects.toThrow(/describe 64 bytes but the data has 60/);
    const inJson = checkpoint(0);
    inJson.optimizer.json = { m: new Float32Array(4) };
    await expect(run.writeCheckpoint(inJson)).rejects.toThrow(/"m" is binary data; pass it as a buffer/);
    await expect(
      run.writeCheckpoint(checkpoint(0, { best: { metric: 'val_loss', value: Infinity, epoch: 0 } })),
    ).rejects.toThrow(/checkpoint: state\.best\.value: /);
    expect(readdirSync(ckptDir(run))).toEqual([]);
  });
});

describe('atomicity', () => {
  it('ignores and cleans what an interrupted write left; latest is the newest complete', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    await run.writeCheckpoint(checkpoint(0));
    await run.writeCheckpoint(checkpoint(1));
    // A writer killed while filling epoch 2, one killed in this very process, and one still at work.
    const dead = tempName('epoch-0002', deadPid());
    const ours = tempName('epoch-0003', process.pid);
    const live = tempName('epoch-0004', process.ppid);
    for (const name of [dead, ours, live]) {
      mkdirSync(join(ckptDir(run), name));
      writeFileSync(join(ckptDir(run), name, 'weights.bin'), 'half');
    }
    const latest = await RunStore.open(run.dir).latestCheckpoint();
    expect(latest!.state.epoch).toBe(1);
    expect(weightsOf(latest)).toEqual(new Array(16).fill(1.5));
    expect(readdirSync(ckptDir(run)).sort()).toEqual([live, 'epoch-0000', 'epoch-0001']);
    expect(run.listCheckpoints().map((c) => c.name)).toEqual(['epoch-0000', 'epoch-0001']);
  });

  it('writing the same epoch again replaces it whole', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const first = checkpoint(0);
    first.optimizer.buffers = { m: new Float32Array(8).fill(3) };
    await run.writeCheckpoint(first);
    await run.writeCheckpoint(checkpoint(0, { step: 5 }));
    const back = await run.latestCheckpoint();
    expect(back!.state.step).toBe(5);
    expect(back!.optimizer.buffers).toBeUndefined();
    expect(readdirSync(ckptDir(run))).toEqual(['epoch-0000']);
  });

  it('puts back a best/ that was moved aside when the writer died', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    await run.writeCheckpoint(checkpoint(0), { best: true });
    const { renameSync } = await import('node:fs');
    renameSync(join(ckptDir(run), 'best'), join(ckptDir(run), tempName('old-best', deadPid())));
    expect((await run.bestCheckpoint())!.state.epoch).toBe(0);
  });
});

describe('best and pruning', () => {
  it('tracks the best epoch in best/, sharing the epoch folder files', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    const valLoss = [0.9, 0.5, 0.7, 0.4, 0.6];
    let best: { metric: string; value: number; epoch: number } | null = null;
    for (let e = 0; e < valLoss.length; e++) {
      const improved = best === null || valLoss[e]! < best.value;
      if (improved) best = { metric: 'val_loss', value: valLoss[e]!, epoch: e };
      await run.writeCheckpoint(checkpoint(e, { best }), { best: improved });
    }
    const b = await run.bestCheckpoint();
    expect(b!.state.epoch).toBe(3);
    expect(b!.state.best).toEqual({ metric: 'val_loss', value: 0.4, epoch: 3 });
    expect(weightsOf(b)).toEqual(new Array(16).fill(3.5));
    expect((await run.latestCheckpoint())!.state.epoch).toBe(4);
    const ino = (dir: string) => statSync(join(ckptDir(run), dir, 'weights.bin')).ino;
    expect(ino('best')).toBe(ino('epoch-0003')); // hard-linked, not copied, where the disk allows
    expect(readdirSync(ckptDir(run)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('keeps every epoch by default, the newest N with keepLast, one with keepEvery: false', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    for (let e = 0; e < 4; e++) await run.writeCheckpoint(checkpoint(e), { best: e === 1 });
    expect(run.listCheckpoints().map((c) => c.epoch)).toEqual([0, 1, 2, 3]);
    await run.writeCheckpoint(checkpoint(4), { keepLast: 2 });
    expect(run.listCheckpoints().map((c) => c.epoch)).toEqual([3, 4]);
    await run.writeCheckpoint(checkpoint(5), { keepEvery: false });
    expect(run.listCheckpoints().map((c) => c.epoch)).toEqual([5]);
    // best/ outlives its epoch folder.
    expect(weightsOf(await run.bestCheckpoint())).toEqual(new Array(16).fill(1.5));
    expect(existsSync(join(ckptDir(run), 'epoch-0001'))).toBe(false);
    await expect(run.writeCheckpoint(checkpoint(6), { keepLast: 0 })).rejects.toThrow(
      /keepLast must be an integer ≥ 1/,
    );
  });

  it('a damaged complete checkpoint is an error naming the file, not a silent fallback', async () => {
    const run = RunStore.create(tempRoot(), newMeta());
    await run.writeCheckpoint(checkpoint(0));
    const info = await run.writeCheckpoint(checkpoint(1));
    writeFileSync(join(info.dir, 'weights.bin'), Buffer.alloc(10));
    await expect(run.latestCheckpoint()).rejects.toThrow(
      /epoch-0001\/weights\.bin has 10 bytes; checkpoint\.json says 64/,
    );
  });
});
