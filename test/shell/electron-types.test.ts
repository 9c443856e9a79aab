// The vendored electron.d.ts (types/electron/README.md) is Electron's own, for the pinned version.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root));

describe('Electron types', () => {
  it('are the unmodified electron.d.ts of the version electron-builder packages', () => {
    const dts = read('types/electron/electron.d.ts');
    const version = /electronVersion: (\S+)/.exec(read('electron-builder.yml').toString())![1]!;
    expect(dts.toString().split('\n')[0]).toBe(`// Type definitions for Electron ${version}`);
    const pkg = JSON.parse(read('package.json').toString()) as { optionalDependencies: Record<string, string> };
    expect(pkg.optionalDependencies.electron).toBe(`^${version}`);
    const sha = createHash('sha256').update(dts).digest('hex');
    expect(read('types/electron/README.md').toString()).toContain(sha);
  });

  it('match the installed electron package, where npm installed it', (ctx) => {
    const installed = new URL('node_modules/electron/electron.d.ts', root);
    if (!existsSync(installed)) {
      console.warn(
        'electron types: node_modules/electron is not installed here (Node < 22.12): compared with the README hash only',
      );
      ctx.skip();
    }
    const version = JSON.parse(read('node_modules/electron/package.json').toString()).version as string;
    const pinned = /electronVersion: (\S+)/.exec(read('electron-builder.yml').toString())![1];
    if (version !== pinned) {
      // package.json's ^range let npm pick a newer patch release, whose types may differ.
      console.warn(`electron types: npm installed electron ${version}, not the pinned ${pinned}: not compared`);
      ctx.skip();
    }
    expect(readFileSync(installed).equals(read('types/electron/electron.d.ts'))).toBe(true);
  });
});
