// The label-issues panel's state: it runs the finder with progress, lists the issues with their
// thumbnails, moves a file and tells the dataset's views, undoes, and shows errors as one line.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { MoveRecord } from '../../src-main/engine/index.js';
import { DatasetState, LabelIssuesState } from '../../src-renderer/lib/state/index.js';
import { fakeClient } from './fake-client.js';

const issue = (name: string, given: string, suggested: string, score: number) => ({
  path: `/d/${given}/${name}`,
  given,
  suggested,
  score,
  suggestedProb: 0.9,
});

const report = {
  root: '/d',
  layout: 'image-folder',
  classes: [
    { name: 'cat', images: 10, issues: 1 },
    { name: 'dog', images: 10, issues: 1 },
  ],
  settings: { model: 'resnet_micro', folds: 5, seed: 0, filterBy: 'prune_by_noise_rate' },
  backbone: 'resnet_micro (pretrained, models/resnet_micro)',
  pretrained: true,
  inputSize: 32,
  total: 20,
  agreement: 0.85,
  issues: [issue('a.png', 'cat', 'dog', 0.01), issue('b.png', 'dog', 'cat', 0.2)],
  skipped: [],
  created: '2026-01-01T00:00:00Z',
  thumbnails: { '/d/cat/a.png': 'data:a', '/d/dog/b.png': 'data:b' },
  undoable: [] as MoveRecord[],
};

const move: MoveRecord = {
  id: 'm1',
  op: 'move',
  at: '2026-01-01T00:00:01Z',
  from: 'cat/a.png',
  to: 'dog/a.png',
  fromClass: 'cat',
  toClass: 'dog',
};

describe('LabelIssuesState', () => {
  it('runs the finder with the settings and a progress tag, and lists the issues', async () => {
    const { client, calls, emit } = fakeClient(async (channel, payload) => {
      if (channel === 'data.issues') {
        emit('task.progress', {
          tag: (payload as { progressTag: string }).progressTag,
          done: 3,
          total: 20,
          unit: 'images read',
        });
        return report;
      }
      return { undoable: [], report: null };
    });
    const s = new LabelIssuesState(client);
    s.folds = 3;
    const running = s.run('/d', '  ');
    expect(s.find.running).toBe(true);
    expect(s.progress.label).toBe('3 / 20 images read');
    await running;
    flushSync();
    expect(calls.find((c) => c.channel === 'data.issues')!.payload).toMatchObject({ path: '/d', folds: 3, seed: 0 });
    expect(calls.find((c) => c.channel === 'data.issues')!.payload).not.toHaveProperty('model');
    expect(s.rows.map((r) => [r.name, r.given, r.suggested, r.src, r.moved])).toEqual([
      ['a.png', 'cat', 'dog', 'data:a', null],
      ['b.png', 'dog', 'cat', 'data:b', null],
    ]);
    expect(s.summary).toBe(
      '2 of 20 images look mislabelled. Out-of-sample predictions agree with the labels on 85%; backbone resnet_micro (pretrained, models/resnet_micro), 5 folds.',
    );
    expect(s.warning).toBeNull();
  });

  it('moves a file to its suggested class, tells the dataset, and undoes it', async () => {
    let undoable: MoveRecord[] = [];
    const { client, calls } = fakeClient(async (channel) => {
      if (channel === 'data.issues') return report;
      if (channel === 'data.move') {
        undoable = [move];
        return { record: move, undoable };
      }
      if (channel === 'data.undoMove') {
        undoable = [];
        return {
          record: {
            ...move,
            id: 'u1',
            op: 'undo',
            undoes: 'm1',
            from: move.to,
            to: move.from,
            fromClass: 'dog',
            toClass: 'cat',
          },
          undoable,
        };
      }
      if (channel === 'data.thumbnails') return { classes: [] };
      return null;
    });
    const data = new DatasetState(client);
    const seen: string[] = [];
    const s = new LabelIssuesState(client, async (m) => {
      seen.push(`${m.fromClass}→${m.toClass}`);
      await data.applyMove(m);
    });
    await s.run('/d', 'resnet_micro');
    await s.move(s.rows[0]!);
    flushSync();
    expect(calls.find((c) => c.channel === 'data.move')!.payload).toEqual({
      path: '/d',
      file: '/d/cat/a.png',
      to: 'dog',
    });
    expect(s.rows[0]!.moved?.id).toBe('m1');
    expect(s.undoable).toHaveLength(1);
    await s.undo('m1');
    flushSync();
    expect(calls.find((c) => c.channel === 'data.undoMove')!.payload).toEqual({ path: '/d', id: 'm1' });
    expect(s.rows[0]!.moved).toBeNull();
    expect(seen).toEqual(['cat→dog', 'dog→cat']);
    expect(s.busy).toBeNull();
  });

  it('shows a failed move as one line and keeps the list', async () => {
    const { client } = fakeClient(async (channel) => {
      if (channel === 'data.issues') return { ...report, pretrained: false };
      throw new Error('to: no class folder "dog"');
    });
    const s = new LabelIssuesState(client);
    await s.run('/d', '');
    await s.move(s.rows[0]!);
    expect(s.error).toBe('to: no class folder "dog"');
    expect(s.rows).toHaveLength(2);
    expect(s.warning).toMatch(/random weights/);
  });
});

describe('DatasetState.applyMove', () => {
  it('moves one image between the class counts and fetches the thumbnails again', async () => {
    const { client, calls } = fakeClient(async (channel) => {
      if (channel === 'data.inspect')
        return {
          classes: [
            { name: 'cat', count: 10 },
            { name: 'dog', count: 10 },
          ],
          total: 20,
          split: null,
          thumbnails: {},
        };
      return { classes: [] };
    });
    const data = new DatasetState(client);
    await data.load('/d');
    await data.applyMove({ fromClass: 'cat', toClass: 'dog' });
    flushSync();
    expect(data.countsChart).toEqual([
      [0, 1],
      [9, 11],
    ]);
    expect(data.brief?.classes).toEqual([
      { name: 'cat', count: 9 },
      { name: 'dog', count: 11 },
    ]);
    expect(calls.filter((c) => c.channel === 'data.thumbnails')).toHaveLength(2);
  });
});

describe('LabelIssuesState.loadMoves', () => {
  it('shows the report kept in the folder until the finder runs again, and drops another folder’s', async () => {
    const { client } = fakeClient(async (channel, payload) => {
      if (channel === 'data.labelMoves')
        return (payload as { path: string }).path === '/d'
          ? { report, thumbnails: report.thumbnails, undoable: [move] }
          : { report: null, thumbnails: {}, undoable: [] };
      return { ...report, agreement: 0.5, undoable: [] };
    });
    const s = new LabelIssuesState(client);
    await s.loadMoves('/d');
    flushSync();
    expect(s.restored).toBe(true);
    expect(s.rows.map((r) => [r.name, r.moved?.id ?? null])).toEqual([
      ['a.png', 'm1'],
      ['b.png', null],
    ]);
    expect(s.summary).toMatch(/Found 2026-01-01 00:00 UTC; run it again after changes\.$/);
    await s.run('/d', '');
    expect(s.restored).toBe(false);
    expect(s.summary).toMatch(/agree with the labels on 50%/);
    await s.loadMoves('/other');
    expect(s.result).toBeNull();
    expect(s.undoable).toEqual([]);
  });
});
