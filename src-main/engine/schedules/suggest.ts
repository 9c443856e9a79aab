// Helpers that every config parser shares: "did you mean" for a mistyped field, the fields a
// schema knows at a place in the input, and a bound on nesting depth checked before zod recurses
// (zod walks a 100k-deep config until the stack overflows).
import type { z } from 'zod';

/** Deeper than any config Anneal reads (a sequential of warm-ups of stages is under 20). */
export const MAX_CONFIG_DEPTH = 64;

/**
 * The depth of the deepest array or object in `value`, counted iteratively (so that measuring a
 * hostile input cannot overflow the stack), stopping as soon as it passes `max`.
 */
export function exceedsDepth(value: unknown, max = MAX_CONFIG_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Levenshtein distance (Wagner–Fischer, two rows). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known name closest to `word`, if it is close enough to be a typo: at most a third of the
 * word's letters wrong (at least 1, at most 3), as commander's own suggestions do.
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestDistance && d <= limit) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** "unknown field "momentun" (did you mean "momentum"?)", or with the known ones listed when none is close. */
export function unknownFieldReason(keys: readonly string[], known: readonly string[]): string {
  const first = keys[0]!;
  const close = suggest(first, known);
  const named = `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (close) return `${named} (did you mean "${close}"?)`;
  return known.length ? `${named} (known: ${known.join(', ')})` : named;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  getter?: () => z.ZodType;
  options?: readonly z.ZodType[];
  element?: z.ZodType;
  items?: readonly z.ZodType[];
  valueType?: z.ZodType;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas `schema` may be at `path` of an input (several where a union leaves it open). */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[], depth = 0): Record<string, z.ZodType>[] {
  if (depth > 200) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return objectsAt(def.innerType!, path, depth + 1);
    case 'pipe':
      // z.preprocess and .transform: the schema that reads the input is the one that is not a transform.
      return defOf(def.in!).type === 'transform'
        ? objectsAt(def.out!, path, depth + 1)
        : objectsAt(def.in!, path, depth + 1);
    case 'lazy':
      return objectsAt(def.getter!(), path, depth + 1);
    case 'union':
      return def.options!.flatMap((o) => objectsAt(o, path, depth + 1));
    case 'object': {
      if (path.length === 0) return [def.shape!];
      const next = def.shape![String(path[0])];
      return next ? objectsAt(next, path.slice(1), depth + 1) : [];
    }
    case 'array':
      return path.length ? objectsAt(def.element!, path.slice(1), depth + 1) : [];
    case 'tuple': {
      const item = path.length ? def.items![Number(path[0])] : undefined;
      return item ? objectsAt(item, path.slice(1), depth + 1) : [];
    }
    case 'record':
      return path.length ? objectsAt(def.valueType!, path.slice(1), depth + 1) : [];
    default:
      return [];
  }
}

/**
 * The fields `schema` knows for the object at `path` of `input`: of the schemas a union allows
 * there, the one that shares the most fields with what was given (for a schedule, the one of its type).
 */
export function knownFields(schema: z.ZodType, input: unknown, path: readonly PropertyKey[]): string[] {
  let at: unknown = input;
  for (const k of path)
    at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[k] : undefined;
  const given = typeof at === 'object' && at !== null ? at : {};
  const score = (shape: Record<string, z.ZodType>): number => {
    let n = 0;
    for (const [k, v] of Object.entries(given)) {
      if (!(k in shape)) continue;
      const lit = defOf(shape[k]!) as { type: string; values?: unknown[] };
      // A discriminator that matches decides it.
      n += lit.type === 'literal' && lit.values?.includes(v) ? 100 : 1;
    }
    return n;
  };
  const shapes = objectsAt(schema, path);
  if (!shapes.length) return [];
  const best = shapes.reduce((a, b) => (score(b) > score(a) ? b : a));
  return Object.keys(best);
}
