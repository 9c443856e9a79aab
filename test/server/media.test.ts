// Issue 15, item 5: data.thumbnails decoded every image at once, at full size, in the server's own
// process (three 16000² PNGs took it to 2.4 GB). Now images for the screens are decoded in a
// bounded pool of worker threads, headers first, with a pixel limit. Here sharp is replaced, in
// this thread only, by a stub that fails: every screen that shows images must still work, so none
// of them decodes on the caller's event loop.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobManager } from '../../src-main/jobs/index.js';
import { createHandlers, dispatch, MediaPool } from '../../src-main/service/index.js';

vi.mock('sharp', () => {
  const onLoop = () => {
    throw new Error('an image was decoded on the event loop');
  };
  return { default: Object.assign(onLoop, { cache: onLoop, concurrency: onLoop }) };
});

describe('images for the screens are decoded off the event loop, bounded', () => {
  let dir: string;
  let media: MediaPool;
  let call: (channel: string, payload: unknown) => ReturnType<typeof dispatch>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anneal-media-'));
    // The dataset needs the real sharp: made in a process of its own.
    const engine = fileURLToPath(new URL('../../src-main/engine/index.ts', import.meta.url));
    const made = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `(await import(${JSON.stringify(engine)})).makeShapes(process.argv[1], 3)`,
        join(dir, 'shapes'),
      ],
      { encoding: 'utf8' },
    );
    expect(made.stderr).toBe('');
    media = new MediaPool(2);
    const handlers = createHandlers({ mode: 'serve', version: 't', cwd: dir, jobs: new JobManager(), media });
    call = (channel, payload) => dispatch(handlers, channel, payload);
  });
  afterAll(() => media?.close());

  it('thumbnails, inspection and the augmentation preview all work with sharp unusable here', async () => {
    const thumbs = (await call('data.thumbnails', { path: 'shapes', perClass: 3, size: 24 })) as {
      ok: boolean;
      result: { classes: { images: { src: string }[] }[] };
    };
    expect(thumbs.ok).toBe(true);
    expect(thumbs.result.classes.map((c) => c.images.length)).toEqual([3, 3, 3, 3]);
    expect(thumbs.result.classes[0]!.images[0]!.src).toMatch(/^data:image\/png;base64,/);
    await expect(call('data.inspect', { path: 'shapes' })).resolves.toMatchObject({ ok: true, result: { total: 12 } });
    await expect(call('data.augmentPreview', { path: 'shapes', rows: 2, cols: 2, size: 32 })).resolves.toMatchObject({
      ok: true,
      result: { rows: 2, src: expect.stringMatching(/^data:image\/png;base64,/) },
    });
  });

  it('keeps the user’s mistakes one line', async () => {
    mkdirSync(join(dir, 'empty'));
    await expect(call('data.inspect', { path: 'nowhere' })).resolves.toMatchObject({ ok: false, kind: 'usage' });
    await expect(call('data.augmentPreview', { path: 'empty' })).resolves.toMatchObject({ ok: false, kind: 'usage' });
  });

  it('runs at most its size at once, the rest in order', async () => {
    const path = join(dir, 'shapes');
    const tasks = Array.from({ length: 6 }, () => media.run({ kind: 'inspect', path }));
    expect(media.pending).toBe(6);
    await Promise.all(tasks);
    expect(media.pending).toBe(0);
  });
});
