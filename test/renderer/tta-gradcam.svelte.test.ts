// The Evaluate and Predict screens' TTA and Grad-CAM toggles (issue 17, items 5–6): what each asks
// main for, and which overlays the galleries show.
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../src-main/contract/index.js';
import { EvalState, PredictState } from '../../src-renderer/lib/state/index.js';
import { fakeClient } from './fake-client.js';

const overlay = (path: string) => ({
  path,
  label: 'a',
  prob: 0.7,
  predicted: 'a',
  overlay: `data:image/png;base64,${path}`,
});

const result = {
  classes: ['a', 'b'],
  count: 3,
  accuracy: 2 / 3,
  topK: { k: 2, accuracy: 1 },
  loss: 0.5,
  perClass: [],
  confusion: [
    [1, 1],
    [0, 1],
  ],
  topLosses: [{ path: '/d/a1.png', label: 'a', predicted: 'b', prob: 0.6, loss: 1.2 }],
  thumbnails: {},
  skipped: [],
  images: [
    { path: '/d/a1.png', label: 0, predicted: 1, probs: [0.4, 0.6] },
    { path: '/d/a2.png', label: 0, predicted: 0, probs: [0.9, 0.1] },
    { path: '/d/b1.png', label: 1, predicted: 1, probs: [0.2, 0.8] },
  ],
};

function evalClient() {
  return fakeClient((channel, payload) => {
    if (channel === 'eval.run') return result;
    if (channel === 'explain.images')
      return { images: (payload as { paths: string[] }).paths.map(overlay), skipped: [] };
    return {};
  });
}

describe('EvalState: TTA and Grad-CAM', () => {
  it("asks for fastai's defaults only when TTA is on", async () => {
    const { client, calls } = evalClient();
    const e = new EvalState(client);
    await e.run('/runs/r1');
    expect(calls[0]!.payload).not.toHaveProperty('tta');
    e.tta = true;
    await e.run('/runs/r1');
    expect(calls.at(-1)!.payload).toMatchObject({ target: '/runs/r1', tta: {} });
  });

  it('loads overlays for the top losses when switched on, and for a cell when it opens, each once', async () => {
    const { client, calls } = evalClient();
    const e = new EvalState(client);
    await e.run('/runs/r1');
    expect(calls.some((c) => c.channel === 'explain.images')).toBe(false);
    expect(e.overlay('/d/a1.png')).toBeUndefined();
    await e.setGradcam(true);
    // The class the evaluation predicted is the one explained (with TTA, it may differ from the plain view's).
    expect(calls.at(-1)).toEqual({
      channel: 'explain.images',
      payload: { model: '/runs/r1', paths: ['/d/a1.png'], classNames: ['b'] },
    });
    expect(e.overlay('/d/a1.png')?.overlay).toBe('data:image/png;base64,/d/a1.png');
    await e.openCell(1, 1);
    expect(calls.at(-1)).toEqual({
      channel: 'explain.images',
      payload: { model: '/runs/r1', paths: ['/d/b1.png'], classNames: ['b'] },
    });
    const asked = calls.filter((c) => c.channel === 'explain.images').length;
    await e.openCell(0, 1); // a1 is loaded already: nothing asked
    expect(calls.filter((c) => c.channel === 'explain.images').length).toBe(asked);
    await e.setGradcam(false);
    expect(e.overlay('/d/a1.png')).toBeUndefined();
  });

  it('shows why overlays failed', async () => {
    const { client } = fakeClient((channel) => {
      if (channel === 'eval.run') return result;
      throw new Error('the model has no "avgpool" layer');
    });
    const e = new EvalState(client);
    await e.run('/runs/r1');
    await e.setGradcam(true);
    expect(e.explaining.error).toMatch(/avgpool/);
  });
});

describe('PredictState: TTA and Grad-CAM', () => {
  it('sends the toggles with one image and TTA with a folder', async () => {
    const { client, calls } = fakeClient((channel) =>
      channel === 'predict.folder' ? { labels: [], rows: [], skipped: [], csv: '' } : { top: [], explained: null },
    );
    const p = new PredictState(client);
    await p.predictImage('/runs/r1/model', 'x.png', async () => 'AA');
    expect(calls[0]!.payload).toEqual({
      model: '/runs/r1/model',
      image: { name: 'x.png', base64: 'AA' },
      top: 5,
      explain: false,
    });
    p.tta = true;
    p.gradcam = true;
    await p.predictImage('/runs/r1/model', 'x.png', async () => 'AA');
    expect(calls[1]!.payload).toMatchObject({ explain: true, tta: {} });
    p.dir = '/x';
    await p.predictFolder('/runs/r1/model');
    expect(calls[2]!.payload).toMatchObject({ dir: '/x', tta: {} });
    expect(p.folderTta).toBe(true);
    p.tta = false; // the table on screen still says how it was made
    expect(p.folderTta).toBe(true);
  });
});

describe('the contract', () => {
  it('takes fastai’s defaults for an empty tta, and refuses bad settings and mismatched classes', () => {
    expect(parseRequest('eval.run', { target: 'r', tta: {} }).tta).toEqual({
      n: 4,
      beta: 0.25,
      useMax: false,
      seed: 0,
    });
    expect(() => parseRequest('eval.run', { target: 'r', tta: { beta: 2 } })).toThrow(
      /^eval\.run: tta\.beta: must be between 0 and 1$/,
    );
    expect(() => parseRequest('explain.images', { model: 'm', paths: ['a', 'b'], classNames: ['x'] })).toThrow(
      /^explain\.images: classNames: must name one class per path$/,
    );
  });
});
