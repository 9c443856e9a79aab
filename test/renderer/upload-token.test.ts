// Issue 15, items 2–3 on the page's side: a dropped image over the upload limit is refused with
// both sizes before it is read or sent; the token arrives in the printed address, is kept for
// this origin and leaves the address bar.
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, parseRequest } from '../../src-main/contract/index.js';
import { pageToken } from '../../src-renderer/lib/client/index.js';
import { fileToBase64 } from '../../src-renderer/lib/format.js';

function fakeWindow(href: string) {
  const store = new Map<string, string>();
  const location = new URL(href);
  const replaced: string[] = [];
  const w = {
    location,
    localStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    },
    history: {
      replaceState: (_s: unknown, _t: string, url: string) => {
        replaced.push(url);
        const next = new URL(url, location);
        location.search = next.search;
      },
    },
  };
  return { w: w as unknown as Window, replaced, store };
}

describe('the upload limit', () => {
  it('refuses an image over the limit with both sizes, before reading it', async () => {
    const big = new Blob([new Uint8Array(40 * 2 ** 20)]);
    await expect(fileToBase64(big)).rejects.toThrow('this image is 40 MB; the upload limit is 32 MB');
    await expect(fileToBase64(new Blob([new Uint8Array([1, 2, 3])]))).resolves.toBe('AQID');
  });

  it('is the contract’s too, naming the field', () => {
    const base64 = 'A'.repeat(Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4);
    expect(() => parseRequest('predict.run', { model: 'm', image: { name: 'a.png', base64 } })).toThrow(
      'predict.run: image.base64: the image is larger than 32 MB, the upload limit',
    );
  });
});

describe('the page’s token', () => {
  it('comes from the printed address, is kept, and leaves the address bar', () => {
    const { w, replaced, store } = fakeWindow('http://127.0.0.1:7860/?token=abc123&x=1#runs');
    expect(pageToken(w)).toBe('abc123');
    expect(replaced).toEqual(['/?x=1#runs']);
    expect(store.get('anneal.token')).toBe('abc123');
    // A reload of the bare address still has it.
    expect(pageToken(w)).toBe('abc123');
  });

  it('is null on a bare address never opened with one', () => {
    expect(pageToken(fakeWindow('http://127.0.0.1:7860/').w)).toBeNull();
  });
});
