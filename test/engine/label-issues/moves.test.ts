// Moving files between class folders: logged, undoable, never deleting or overwriting.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveToClass, readMoveLog, undoMove } from '../../../src-main/engine/label-issues/index.js';
import { tempDir } from '../../cli/helpers.js';

function folder(layout: string[]): string {
  const root = tempDir();
  for (const f of layout) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), f);
  }
  return root;
}

describe('moveToClass and undoMove', () => {
  it('keeps a pre-split dataset in its split, and undoes in any order', () => {
    const root = folder(['train/cat/a.png', 'train/dog/b.png', 'val/cat/c.png', 'val/dog/d.png']);
    const m1 = moveToClass(root, join(root, 'train/cat/a.png'), 'dog');
    const m2 = moveToClass(root, join(root, 'val/dog/d.png'), 'cat');
    expect([m1.to, m2.to]).toEqual(['train/dog/a.png', 'val/cat/d.png']);
    expect(readMoveLog(root).undoable.map((m) => m.id)).toEqual([m2.id, m1.id]);
    undoMove(root, m1.id);
    expect(readFileSync(join(root, 'train/cat/a.png'), 'utf8')).toBe('train/cat/a.png');
    expect(readMoveLog(root).undoable.map((m) => m.id)).toEqual([m2.id]);
    expect(() => undoMove(root, m1.id)).toThrow(/already undone/);
    expect(() => undoMove(root, 'nope')).toThrow(/no move nope/);
  });

  it('never overwrites: clashes get -1, -2 both ways; a removed class folder comes back on undo', () => {
    const root = folder(['cat/x.png', 'dog/x.png', 'dog/x-1.png']);
    const m = moveToClass(root, join(root, 'cat/x.png'), 'dog');
    expect(m.to).toBe('dog/x-2.png');
    // Someone puts another x.png where the moved file was, then removes nothing else.
    writeFileSync(join(root, 'cat/x.png'), 'newcomer');
    const u = undoMove(root);
    expect(u.to).toBe('cat/x-1.png');
    expect(readFileSync(join(root, 'cat/x.png'), 'utf8')).toBe('newcomer');
    expect(readdirSync(join(root, 'dog')).sort()).toEqual(['x-1.png', 'x.png']);

    const again = moveToClass(root, join(root, 'cat/x-1.png'), 'dog');
    rmSync(join(root, 'cat'), { recursive: true });
    undoMove(root, again.id);
    expect(readFileSync(join(root, 'cat/x-1.png'), 'utf8')).toBe('cat/x.png');
  });

  it('refuses what it cannot do, and moves nothing', () => {
    const root = folder(['cat/a.png', 'dog/b.png', 'loose.png']);
    expect(() => moveToClass(root, join(root, 'cat/a.png'), 'cat')).toThrow(/already in class cat/);
    expect(() => moveToClass(root, join(root, 'cat/a.png'), '../dog')).toThrow(/no class folder/);
    expect(() => moveToClass(root, join(root, 'cat/a.png'), '.anneal')).toThrow(/no class folder/);
    expect(() => moveToClass(root, join(root, 'loose.png'), 'dog')).toThrow(/not an image inside a class folder/);
    expect(() => moveToClass(root, join(root, 'cat/none.png'), 'dog')).toThrow(/no such file/);
    const m = moveToClass(root, join(root, 'cat/a.png'), 'dog');
    rmSync(join(root, m.to));
    expect(() => undoMove(root)).toThrow(/no longer there/);
    expect(existsSync(join(root, 'cat/a.png'))).toBe(false);
    expect(() => undoMove(tempDir())).toThrow(/no move to undo/);
  });
});
