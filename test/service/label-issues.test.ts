// The Dataset screen's label-issues panel, over the service: the finder runs as a job (progress by
// tag, thumbnails of the issues), moves and undo go through the same log as `anneal data move`,
// and a bad request is one line naming its field.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskProgress } from '../../src-main/contract/index.js';
import { makeShapes } from '../../src-main/engine/index.js';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers, dispatch, type Handlers } from '../../src-main/service/index.js';
import { tempDir } from '../cli/helpers.js';

let cwd: string;
let handlers: Handlers;
const jobs = new JobManager();

beforeAll(async () => {
  cwd = tempDir('anneal-service-');
  handlers = createHandlers({ mode: 'serve', version: 'test', cwd, jobs });
  await makeShapes(join(cwd, 'shapes'), 10);
  // Two squares filed as circles.
  for (const f of ['square-1.png', 'square-2.png'])
    renameSync(join(cwd, 'shapes/square', f), join(cwd, 'shapes/circle', f));
});
afterAll(() => jobs.dispose());

describe('data.issues, data.move, data.undoMove, data.labelMoves', () => {
  it('runs the finder as a job with progress, then moves a file and takes it back', async () => {
    const events: TaskProgress[] = [];
    jobs.on((event, payload) => {
      if (event === 'task.progress') events.push(payload as TaskProgress);
    });
    const out = await dispatch(handlers, 'data.issues', { path: 'shapes', folds: 2, progressTag: 't1' });
    expect(out).toMatchObject({ ok: true });
    const r = (out as { result: Awaited<ReturnType<Handlers['data.issues']>> }).result;
    expect(r.total).toBe(40);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(Object.keys(r.thumbnails).sort()).toEqual(r.issues.map((i) => i.path).sort());
    expect(r.undoable).toEqual([]);
    expect(events.some((e) => e.tag === 't1' && e.unit === 'images read' && e.done === e.total)).toBe(true);
    expect(events.some((e) => e.tag === 't1' && e.unit === 'folds trained')).toBe(true);

    const kept = await handlers['data.labelMoves']({ path: 'shapes', thumbnails: 60 });
    expect(kept.report?.issues).toEqual(r.issues);
    expect(kept.thumbnails).toEqual(r.thumbnails);

    const issue = r.issues[0]!;
    const moved = await handlers['data.move']({ path: 'shapes', file: issue.path, to: issue.suggested });
    expect(moved.record.toClass).toBe(issue.suggested);
    expect(moved.undoable.map((m) => m.id)).toEqual([moved.record.id]);
    expect(existsSync(issue.path)).toBe(false);
    const undone = await handlers['data.undoMove']({ path: 'shapes' });
    expect(undone.record.undoes).toBe(moved.record.id);
    expect(undone.undoable).toEqual([]);
    expect(existsSync(issue.path)).toBe(true);
  }, 120_000);

  it('refuses bad settings and bad moves with one line', async () => {
    const folds = await dispatch(handlers, 'data.issues', { path: 'shapes', folds: 1 });
    expect(folds).toMatchObject({ ok: false, kind: 'usage' });
    expect((folds as { error: string }).error).toMatch(/^data\.issues: folds: must be at least 2/);
    const many = await dispatch(handlers, 'data.issues', { path: 'shapes', folds: 11 });
    expect(many).toMatchObject({ ok: false, kind: 'usage' });
    expect((many as { error: string }).error).toMatch(
      /^folds: "cross" has 10 images, "square" has 8 images.*fewer than the 11 folds/,
    );
    const move = await dispatch(handlers, 'data.move', {
      path: 'shapes',
      file: 'shapes/cross/cross-0.png',
      to: 'hexagon',
    });
    expect(move).toMatchObject({
      ok: false,
      kind: 'usage',
      error: 'to: no class folder "hexagon" (classes: circle, cross, square, triangle)',
    });
  }, 120_000);
});
