// readDataset picks the layout; pre-split train/ and val/ folders give the union of classes and
// their own split.
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, readDataset, readSplitFolders } from '../../../../src-main/engine/data/sources/index.js';
import { tempDir, write } from './fixtures.js';

let png: Uint8Array;
beforeAll(async () => {
  png = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'blue' } })
    .png()
    .toBuffer();
});

function splitTree(valName: string): string {
  const root = tempDir('anneal-split-');
  for (const f of ['train/cat/1.png', 'train/cat/2.png', 'train/dog/3.png', 'train/emu/4.png'])
    write(join(root, f), png);
  for (const f of ['cat/5.png', 'dog/6.png', 'yak/7.png']) write(join(root, valName, f), png);
  return root;
}

describe('pre-split folders', () => {
  for (const valName of ['val', 'valid', 'validation']) {
    it(`train/ and ${valName}/: classes are the union, sorted; the split is the folders`, async () => {
      const root = splitTree(valName);
      const loaded = await readDataset(root);
      expect(loaded.layout).toBe('split-folders');
      const { dataset, split } = loaded;
      expect(dataset.classes).toEqual(['cat', 'dog', 'emu', 'yak']);
      const show = (s: { path: string; label: number }) => [s.path.slice(root.length + 1), dataset.classes[s.label]];
      expect(split!.train.map(show)).toEqual([
        ['train/cat/1.png', 'cat'],
        ['train/cat/2.png', 'cat'],
        ['train/dog/3.png', 'dog'],
        ['train/emu/4.png', 'emu'],
      ]);
      expect(split!.val.map(show)).toEqual([
        [`${valName}/cat/5.png`, 'cat'],
        [`${valName}/dog/6.png`, 'dog'],
        [`${valName}/yak/7.png`, 'yak'],
      ]);
      expect(split).toMatchObject({ method: 'folders', seed: null, valFraction: null });
      expect(dataset.samples).toEqual([...split!.train, ...split!.val]);
      expect(dataset.problems).toEqual([{ path: join(root, valName, 'yak'), reason: 'class not in train/' }]);
    });
  }

  it('a test/ folder beside them is reported as unused; loose files are reported', async () => {
    const root = splitTree('val');
    write(join(root, 'test', 'cat', '8.png'), png);
    write(join(root, 'README.txt'), 'hi\n');
    write(join(root, 'train', 'stray.png'), png);
    const { dataset } = await readSplitFolders(root);
    expect(dataset.samples.some((s) => s.path.includes('/test/'))).toBe(false);
    expect(dataset.problems.map((p) => [p.path.slice(root.length + 1), p.reason])).toEqual([
      ['README.txt', 'not inside train/ or val/'],
      ['test', 'test split: not used for training'],
      ['train/stray.png', 'not inside a class folder of train/'],
      ['val/yak', 'class not in train/'],
    ]);
  });

  it('readSplitFolders refuses a folder that is not pre-split', async () => {
    const root = tempDir();
    write(join(root, 'cat', 'a.png'), png);
    await expect(readSplitFolders(root)).rejects.toThrow(DataError);
  });
});

describe('readDataset picks the layout', () => {
  it('a folder of class folders is an ImageFolder (even with a class named "train")', async () => {
    const root = tempDir();
    write(join(root, 'train', 'a.png'), png);
    write(join(root, 'tram', 'b.png'), png);
    const loaded = await readDataset(root);
    expect(loaded.layout).toBe('image-folder');
    expect(loaded.split).toBeNull();
    expect(loaded.dataset.classes).toEqual(['train', 'tram']);
  });

  it('a file is a CSV/TSV list', async () => {
    const root = tempDir();
    write(join(root, 'a.png'), png);
    const list = write(join(root, 'list.txt'), 'a.png\tcat\n');
    const loaded = await readDataset(list);
    expect(loaded.layout).toBe('csv');
    expect(loaded.dataset.classes).toEqual(['cat']);
  });

  it('a missing path is a DataError', async () => {
    await expect(readDataset(join(tempDir(), 'nothing'))).rejects.toThrow(DataError);
  });
});
