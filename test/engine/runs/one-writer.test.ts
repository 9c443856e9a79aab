// Issue 15 items 11, 12 and 15: a run has one writer (run.lock), stale temp folders of killed
// exports and imports are removed and said, and a full disk names the file and what is intact.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError } from '../../../src-main/engine/errors.js';
import { cleanStaleTemps, NoSpaceError, tempSibling, writeFileAtomic } from '../../../src-main/engine/fs/index.js';
import { appendLine } from '../../../src-main/engine/runs/jsonl.js';
import {
  acquireRunLock,
  processStartTicks,
  RUN_LOCK,
  RunStore,
  RunStoreError,
} from '../../../src-main/engine/runs/index.js';
import { deadPid, newMeta, tempRoot } from './helpers.js';

describe('one writer per run (item 11)', () => {
  it('a second writer is refused, naming the live process; after release it may write', () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const lock = acquireRunLock(store.dir);
    const held = JSON.parse(readFileSync(join(store.dir, RUN_LOCK), 'utf8')) as { pid: number; host: string };
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    let refusal: unknown;
    try {
      acquireRunLock(store.dir);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(RunStoreError);
    expect(isInputError(refusal)).toBe(true);
    expect((refusal as RunStoreError).kind).toBe('busy');
    expect((refusal as Error).message).toMatch(
      new RegExp(`is being written by process ${process.pid} on ${hostname()} \\(since .*\\); stop it first`),
    );
    lock.release();
    expect(existsSync(join(store.dir, RUN_LOCK))).toBe(false);
    acquireRunLock(store.dir).release();
  });

  it('a stale lock (its process gone, as after SIGKILL) is reclaimed', () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const stale = { pid: deadPid(), host: hostname(), started: '2026-01-01T00:00:00.000Z', procStart: null };
    writeFileSync(join(store.dir, RUN_LOCK), JSON.stringify(stale));
    const lock = acquireRunLock(store.dir);
    expect(lock.reclaimed).toMatchObject({ pid: stale.pid });
    expect(JSON.parse(readFileSync(join(store.dir, RUN_LOCK), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('a pid reused by another process (a different start time) is stale too', () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const ticks = processStartTicks(process.pid);
    if (ticks === null) return; // no /proc here: the pid check alone applies
    const reused = { pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', procStart: ticks + 1 };
    writeFileSync(join(store.dir, RUN_LOCK), JSON.stringify(reused));
    acquireRunLock(store.dir).release();
  });

  it("another machine's lock is never taken: the message says how to clear it", () => {
    const store = RunStore.create(tempRoot(), newMeta());
    const remote = { pid: 1, host: 'gpu-box-7', started: '2026-01-01T00:00:00.000Z', procStart: 5 };
    writeFileSync(join(store.dir, RUN_LOCK), JSON.stringify(remote));
    expect(() => acquireRunLock(store.dir)).toThrow(
      /process 1 on gpu-box-7 .*; if that process is gone, delete .*run\.lock/,
    );
  });
});

describe('stale temp folders of killed exports and imports (item 12)', () => {
  it('are removed on the next write and reported; a live one and other files are left', () => {
    const root = tempRoot();
    const out = join(root, 'exports', 'pets');
    mkdirSync(join(root, 'exports'));
    const dead = join(root, 'exports', `.pets.${deadPid()}-0123456789ab.tmp`);
    const live = join(root, 'exports', `.pets.${process.ppid}-0123456789ab.tmp`);
    const other = join(root, 'exports', `.other.${deadPid()}-0123456789ab.tmp`);
    for (const d of [dead, live, other]) mkdirSync(d);
    writeFileSync(join(dead, 'model.onnx'), 'half');
    const mine = tempSibling(out);
    mkdirSync(mine);
    expect(cleanStaleTemps(out)).toEqual([dead]);
    expect([existsSync(dead), existsSync(live), existsSync(other), existsSync(mine)]).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });

  it('a previous model moved aside by a killed replace is put back', () => {
    const root = tempRoot();
    const out = join(root, 'model');
    const aside = join(root, `.model.${deadPid()}-0123456789ab.tmp.old`);
    mkdirSync(aside);
    writeFileSync(join(aside, 'anneal.json'), '{}');
    expect(cleanStaleTemps(out)).toEqual([aside]);
    expect(readFileSync(join(out, 'anneal.json'), 'utf8')).toBe('{}');
  });
});

describe('a full disk names the file and what is intact (item 15)', () => {
  it('appending to a log', () => {
    expect(() => appendLine('/dev/full', '{"epoch":1}\n')).toThrow(
      'no space left on the device writing /dev/full; every complete line before it is intact',
    );
  });

  it('an atomic file write keeps the previous version', () => {
    let e: unknown;
    try {
      writeFileAtomic('/dev/full/x.json', 'x'); // ENOTDIR, not a full disk: passes through as it was
    } catch (err) {
      e = err;
    }
    expect(e).not.toBeInstanceOf(NoSpaceError);
    const full = new NoSpaceError('/runs/a/run.json', 'the previous version of the file, if any, is intact');
    expect(full.restate('the run can resume from epoch 3').message).toBe(
      'no space left on the device writing /runs/a/run.json; the run can resume from epoch 3',
    );
    expect(isInputError(full)).toBe(false); // exit 1: the work failed, the input was fine
  });
});
