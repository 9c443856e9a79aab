// Numbers as the screens show them.
import { MAX_UPLOAD_BYTES } from '../../src-main/contract/contract.js';

export const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export const rate = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(2);

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 1) return 'under a second';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * A dropped image's bytes as base64, for sending. Refuses a file over the server's upload limit
 * (the contract's MAX_UPLOAD_BYTES) with a message naming both sizes, before reading it.
 */
export async function fileToBase64(file: Blob): Promise<string> {
  if (file.size > MAX_UPLOAD_BYTES) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MB`;
    throw new Error(`this image is ${mb(file.size)}; the upload limit is ${mb(MAX_UPLOAD_BYTES)}`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** What a job queued behind training says (the server runs one training job at a time). */
export function waitingNote(ahead: number | null | undefined): string | null {
  // None ahead: the job is about to start (the queue is pumped right after a job is added), nothing
  // to wait for; "0 training jobs ahead" was seen for a moment.
  if (!ahead) return null;
  return `waiting for the device: ${ahead} training job${ahead === 1 ? '' : 's'} ahead (one trains at a time)`;
}
