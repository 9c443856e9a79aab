// An image worker thread: decodes user images for the screens (thumbnails, the dataset report,
// the augmentation preview) so that none of it runs on the event loop that serves the window or
// the socket (issue 15, item 5). One task at a time; the pool bounds how many run at once.
import { parentPort } from 'node:worker_threads';
import { inspectDataset, isInputError, renderDatasetPreview } from '../../engine/index.js';
import type { MediaResult, MediaTask } from './protocol.js';
import { renderModelView, renderThumbnail } from './thumbnail.js';

async function perform(task: MediaTask): Promise<unknown> {
  switch (task.kind) {
    case 'thumbnail':
      return renderThumbnail(task.path, task.size, task.maxPixels, task.alpha);
    case 'modelView':
      return renderModelView(task.path, task.inputSize, task.interpolation, task.alpha);
    case 'inspect':
      return inspectDataset(task.path, {
        ...task.options,
        onProgress: (done, total) => parentPort!.postMessage({ progress: { done, total } } satisfies MediaResult),
      });
    case 'preview': {
      const { path, config, seed, rows, cols, size, configName, alpha, mix } = task;
      const out = await renderDatasetPreview(path, config, { seed, rows, cols, size, configName, alpha, mix });
      return { png: new Uint8Array(out.png), rows: out.rows, skipped: out.skipped };
    }
  }
}

parentPort!.on('message', async (task: MediaTask) => {
  let result: MediaResult;
  try {
    result = { ok: true, value: await perform(task) };
  } catch (e) {
    // The user's mistakes (a missing or empty folder, a bad setting): one notion, engine/errors.ts.
    const usage = isInputError(e);
    result = { ok: false, message: e instanceof Error ? e.message : String(e), usage };
  }
  parentPort!.postMessage(result);
});
