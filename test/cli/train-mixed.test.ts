// Issue 4's folder — good images of every format (JPEG incl. CMYK and EXIF-rotated, PNG 8/16-bit,
// grey, alpha, palette, WebP, GIF, TIFF, BMP) mixed with truncated, empty, mislabelled and non-image
// files — trains to the end through the worker pipeline and names every file it could not use.
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mixedDataset } from '../engine/data/sources/fixtures.js';
import { annealIn, tempDir } from './helpers.js';

describe('anneal train on a messy folder of every format', () => {
  it('completes and reports exactly the files it skipped', async () => {
    const ds = await mixedDataset();
    const r = await annealIn([
      'train',
      '--data',
      ds.root,
      '--epochs',
      '1',
      '--freeze-epochs',
      '1',
      '--image-size',
      '32',
      '--out',
      tempDir('anneal-mixed-runs-'),
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    // The indented lines right after "anneal: skipped N files …".
    const lines = r.stderr.split('\n');
    const from = lines.findIndex((l) => l.startsWith('anneal: skipped'));
    const listed: string[] = [];
    for (let i = from + 1; i < lines.length && lines[i]!.startsWith('  '); i++) {
      listed.push(relative(ds.root, lines[i]!.trim().split(': ')[0]!));
    }
    expect(listed.sort()).toEqual(Object.keys(ds.problems).sort());
    expect(r.stderr).toMatch(new RegExp(`skipped ${Object.keys(ds.problems).length} files`));
  }, 900_000);
});
