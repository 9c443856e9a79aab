// `anneal data inspect` through cli/program.ts in this process: the JSON report is the engine's, the human
// report lists classes, sizes, imbalance, duplicates and every problem; problems exit 0, a
// dataset that cannot be read exits 2 with one line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectDataset, type InspectReport } from '../../src-main/engine/data/sources/index.js';
import { mixedDataset, type MixedDataset } from '../engine/data/sources/fixtures.js';
import { annealIn, tempDir } from './helpers.js';

let mixed: MixedDataset;
beforeAll(async () => {
  mixed = await mixedDataset();
});

describe('anneal data inspect', () => {
  it('--json: exactly the bad files, the rest counted, as the engine reports it', async () => {
    const r = await annealIn(['data', 'inspect', mixed.root, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    const rel = (p: string) => p.slice(mixed.root.length + 1);
    expect(Object.fromEntries(report.problems.map((p) => [rel(p.path), p.reason]))).toEqual(mixed.problems);
    expect(Object.fromEntries(report.classes.map((c) => [c.name, c.count]))).toEqual(mixed.counts);
    expect(report).toEqual(await inspectDataset(mixed.root));
  });

  it('human output: class table, sizes, imbalance advice, duplicates, then every problem', async () => {
    const r = await annealIn(['data', 'inspect', mixed.root]);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^class\s+images$/m);
    for (const [name, count] of Object.entries(mixed.counts))
      expect(out).toMatch(new RegExp(`^${name}\\s+${count}$`, 'm'));
    expect(out).toMatch(/^width\s+20\s+40\s+[\d.]+\s+80$/m);
    expect(out).toMatch(/imbalance: 9× .*consider class weights or a balanced sampler/);
    for (const p of mixed.duplicate) expect(out).toContain(`    ${p}  (`);
    expect(out).toMatch(/^label conflicts: 1 group in two or more classes/m);
    expect(out).toContain(`problems: ${Object.keys(mixed.problems).length}`);
    for (const [path, reason] of Object.entries(mixed.problems)) {
      expect(out).toMatch(new RegExp(`^  ${path.replace(/\./g, '\\.')}\\s+${reason.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
  });

  it('a CSV list works the same way', async () => {
    const dir = mixed.root;
    const list = join(tempDir(), 'list.csv');
    writeFileSync(list, `path,label\n${join(dir, 'copies/b.jpg')},b\n${join(dir, 'bad/cut.png')},b\n`);
    const r = await annealIn(['data', 'inspect', list, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    expect(report.layout).toBe('csv');
    expect(report.total).toBe(1);
    expect(report.problems).toEqual([{ path: join(dir, 'bad/cut.png'), reason: 'truncated PNG' }]);
  });

  it('a missing folder exits 2 with one line on stderr', async () => {
    const missing = join(tempDir(), 'no-such-dataset');
    const r = await annealIn(['data', 'inspect', missing]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^anneal: .*no-such-dataset: no such file or folder\n$/);
  });

  it.each([
    [['--alpha', 'transparent'], /^anneal: alpha: must be "white", "black", "drop" or a hex colour/],
    [['--near-duplicates', '20'], /^anneal: nearDuplicates: must be 0 to 16 bits of 64, or false\n$/],
    [['--near-duplicates', '-1'], /^anneal: nearDuplicates: must be 0 to 16 bits of 64, or false\n$/],
  ])('refuses %j: exit 2, one line naming the field', async (flags, message) => {
    const commands = [
      ['data', 'inspect', mixed.root],
      ['train', '--data', mixed.root, '--epochs', '1', '--out', tempDir()],
    ];
    for (const command of commands) {
      const r = await annealIn([...command, ...flags]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('counts transparent images and those left blank under the chosen alpha', async () => {
    const dir = join(tempDir(), 'clipart');
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    // Black drawings on transparent black: blank under "drop" (as PIL), visible under the default white.
    for (let k = 0; k < 3; k++) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect x="${5 + k * 5}" y="8" width="12" height="20" fill="#000"/></svg>`;
      await sharp(Buffer.from(svg))
        .png()
        .toFile(join(dir, k < 2 ? 'a' : 'b', `${k}.png`));
    }
    const white = JSON.parse((await annealIn(['data', 'inspect', dir, '--json'])).stdout) as InspectReport;
    expect(white.transparency).toMatchObject({ alpha: 'white', images: 3, nearlyUniform: 0 });
    const drop = await annealIn(['data', 'inspect', dir, '--alpha', 'drop']);
    expect(drop.status).toBe(0);
    expect(drop.stdout).toMatch(
      /transparency: 3 images with transparent pixels, composited with alpha "drop"; 3 of them nearly uniform/,
    );
  });

  it('no argument is a usage error; --help works', async () => {
    const none = await annealIn(['data', 'inspect']);
    expect(none.status).toBe(2);
    expect(none.stderr.trimEnd().split('\n')).toHaveLength(1);
    const help = await annealIn(['data', 'inspect', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: anneal data inspect [options] <dir|csv>');
    expect(help.stdout).toContain('--json');
  });
});
