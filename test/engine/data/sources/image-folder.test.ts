// readImageFolder: torchvision ImageFolder's classes and sample order (checked against torchvision
// itself where Debian's python3-torchvision is installed), hidden names, symlinks, and every way a
// file or the root can be unusable.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  DataError,
  readImageFolder,
  sortCodePoints,
} from '../../../../src-main/engine/data/sources/index.js';
import { isRoot, tempDir, write } from './fixtures.js';

let png: Uint8Array;
beforeAll(async () => {
  png = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'gray' } })
    .png()
    .toBuffer();
});

const rel = (root: string, p: string) => p.slice(root.length + 1);

/** Class names whose code-point order differs from JavaScript's default UTF-16 sort, and from case-folded order. */
const TRICKY = ['a', 'B', 'a b', 'a-b', 'a_b', 'é', '\uff5e', '😀', '10', '9'];

function trickyTree(): string {
  const root = tempDir('anneal-folder-');
  for (const c of TRICKY) write(join(root, c, 'img.png'), png);
  for (const f of ['0.png', 'x/1.png', 'x-y/2.png', 'x/z/3.png', 'x y/4.png', 'x/Z.png', 'x/a.png', 'X/5.png']) {
    write(join(root, 'a', f), png);
  }
  return root;
}

describe('readImageFolder: classes and order as torchvision', () => {
  it('sorts class names by code point (Python sorted()), not UTF-16 units', () => {
    expect(sortCodePoints(['😀', '\uff5e', 'a'])).toEqual(['a', '\uff5e', '😀']);
    // JavaScript's default sort puts the surrogate pair (U+D83D…) before U+FF5E.
    expect(['😀', '\uff5e'].sort()).toEqual(['😀', '\uff5e']);
    expect(compareCodePoints('😀', '\uff5e')).toBeGreaterThan(0);
  });

  it('numbers classes and orders samples as sorted(os.walk(...)) does', async () => {
    const root = trickyTree();
    const ds = await readImageFolder(root);
    expect(ds.classes).toEqual(['10', '9', 'B', 'a', 'a b', 'a-b', 'a_b', 'é', '\uff5e', '😀']);
    expect(ds.problems).toEqual([]);
    const a = ds.classes.indexOf('a');
    expect(ds.samples.filter((s) => s.label === a).map((s) => rel(join(root, 'a'), s.path))).toEqual([
      '0.png',
      'img.png',
      'X/5.png',
      // Folders sort by their whole path: "a/x" < "a/x y" < "a/x-y" < "a/x/z" (' ' < '-' < '/').
      'x/1.png',
      'x/Z.png',
      'x/a.png',
      'x y/4.png',
      'x-y/2.png',
      'x/z/3.png',
    ]);
  });

  // Optional: needs Debian's python3-torchvision (never installed by CI); reported as skipped without it.
  const hasTorchvision =
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', 'import torchvision.datasets.folder']).status === 0;
  it.skipIf(!hasTorchvision)('matches torchvision.datasets.folder find_classes + make_dataset exactly', async () => {
    const root = trickyTree();
    const script = [
      'import json, sys',
      'from torchvision.datasets.folder import find_classes, make_dataset',
      'classes, idx = find_classes(sys.argv[1])',
      'samples = make_dataset(sys.argv[1], idx, is_valid_file=lambda p: True)',
      'print(json.dumps({"classes": classes, "samples": [[p, l] for p, l in samples]}))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script, root], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const tv = JSON.parse(r.stdout) as { classes: string[]; samples: [string, number][] };
    const ds = await readImageFolder(root);
    expect(ds.classes).toEqual(tv.classes);
    expect(ds.samples.map((s) => [s.path, s.label])).toEqual(tv.samples);
  });
});

describe('readImageFolder: what is skipped and what is reported', () => {
  it('skips hidden files and folders silently, at every level', async () => {
    const root = tempDir();
    write(join(root, 'cat', 'a.png'), png);
    write(join(root, 'cat', '.b.png'), png);
    write(join(root, 'cat', '.thumbs', 'c.png'), png);
    write(join(root, '.ipynb_checkpoints', 'd.png'), png);
    write(join(root, '.DS_Store'), 'Bud1');
    const ds = await readImageFolder(root);
    expect(ds.classes).toEqual(['cat']);
    expect(ds.samples.map((s) => rel(root, s.path))).toEqual(['cat/a.png']);
    expect(ds.problems).toEqual([]);
  });

  it('follows symlinked folders and files, and reports a loop instead of walking it forever', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(join(outside, 'far.png'), png);
    write(join(root, 'cat', 'a.png'), png);
    symlinkSync(outside, join(root, 'linked'));
    symlinkSync(join(root, 'cat', 'a.png'), join(root, 'cat', 'alias.png'));
    symlinkSync(join(root, 'cat'), join(root, 'cat', 'self'));
    const ds = await readImageFolder(root);
    expect(ds.classes).toEqual(['cat', 'linked']);
    expect(ds.samples.map((s) => rel(root, s.path))).toEqual(['cat/a.png', 'cat/alias.png', 'linked/far.png']);
    expect(ds.problems).toEqual([{ path: join(root, 'cat', 'self'), reason: 'symlink loop (not followed)' }]);
  });

  it('reports non-images, empty class folders and files outside class folders', async () => {
    const root = tempDir();
    write(join(root, 'cat', 'a.png'), png);
    write(join(root, 'cat', 'notes.txt'), 'hello\n');
    write(join(root, 'cat', 'blank.png'), '');
    mkdirSync(join(root, 'dog'));
    write(join(root, 'bird', 'readme.md'), '# no birds yet\n');
    write(join(root, 'loose.png'), png);
    const ds = await readImageFolder(root);
    expect(ds.classes).toEqual(['cat']);
    expect(ds.problems.map((p) => [rel(root, p.path), p.reason])).toEqual([
      ['bird', 'class folder with no images'],
      ['bird/readme.md', 'not an image (text)'],
      ['cat/blank.png', 'empty file'],
      ['cat/notes.txt', 'not an image (text)'],
      ['dog', 'class folder with no images'],
      ['loose.png', 'not inside a class folder'],
    ]);
  });

  it('reports files that cannot be read: a broken symlink; a folder named like an image is a folder', async () => {
    const root = tempDir();
    write(join(root, 'cat', 'a.png'), png);
    symlinkSync(join(root, 'nowhere.png'), join(root, 'cat', 'gone.png'));
    write(join(root, 'cat', 'x.jpg', 'inside.png'), png);
    const ds = await readImageFolder(root);
    expect(ds.samples.map((s) => rel(root, s.path))).toEqual(['cat/a.png', 'cat/x.jpg/inside.png']);
    expect(ds.problems).toEqual([{ path: join(root, 'cat', 'gone.png'), reason: 'broken symlink' }]);
  });

  it('reports a file and a folder without read permission (not checkable as root)', async (ctx) => {
    if (isRoot) {
      console.warn('chmod 000 case skipped: running as root, which reads any file regardless of mode');
      ctx.skip();
    }
    const root = tempDir();
    write(join(root, 'cat', 'a.png'), png);
    const locked = write(join(root, 'cat', 'locked.png'), png);
    write(join(root, 'cat', 'sealed', 'b.png'), png);
    chmodSync(locked, 0o000);
    chmodSync(join(root, 'cat', 'sealed'), 0o000);
    try {
      const ds = await readImageFolder(root);
      expect(ds.samples.map((s) => rel(root, s.path))).toEqual(['cat/a.png']);
      expect(ds.problems.map((p) => [rel(root, p.path), p.reason])).toEqual([
        ['cat/locked.png', 'unreadable (EACCES: permission denied)'],
        ['cat/sealed', 'unreadable folder (EACCES)'],
      ]);
    } finally {
      chmodSync(join(root, 'cat', 'sealed'), 0o755);
    }
  });

  it('throws DataError for a root that is missing, a file, or unreadable', async () => {
    const dir = tempDir();
    await expect(readImageFolder(join(dir, 'missing'))).rejects.toThrow(DataError);
    await expect(readImageFolder(join(dir, 'missing'))).rejects.toThrow(/no such file or folder/);
    const file = write(join(dir, 'file.png'), png);
    await expect(readImageFolder(file)).rejects.toThrow(/not a folder/);
    if (!isRoot) {
      const locked = join(dir, 'locked');
      mkdirSync(locked, { mode: 0o000 });
      await expect(readImageFolder(locked)).rejects.toThrow(/cannot read \(EACCES\)/);
    }
  });
});
