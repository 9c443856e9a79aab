// JSON for checkpoint state and optimizer JSON, which must round-trip exactly: a plateau
// schedule's state starts at best = Infinity, and plain JSON.stringify would turn that into null
// (and a resumed run would then compare against null). Non-finite numbers are written as
// {"$float": "Infinity" | "-Infinity" | "NaN"}, the tagged form EJSON uses, and read back.
import { RunStoreError } from './errors.js';

const TAG = '$float';

export function encodeJson(value: unknown, what: string, indent?: number): string {
  return JSON.stringify(
    value,
    function (key, v: unknown) {
      if (typeof v === 'number' && !Number.isFinite(v)) return { [TAG]: String(v) };
      // A typed array would become {"0": …, "1": …}: huge, slow, and read back as an object.
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
        throw new RunStoreError(`${what}: "${key}" is binary data; pass it as a buffer, not inside the JSON`);
      }
      return v;
    },
    indent,
  );
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as Record<string, unknown>)[TAG];
      if (keys.length === 1 && (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity')) return Number(tag);
    }
    return v;
  });
}
