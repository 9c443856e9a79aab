import type { z } from 'zod';
import { InputError, type InputErrorKind } from '../errors.js';
import { exceedsDepth, knownFields, MAX_CONFIG_DEPTH, unknownFieldReason } from './suggest.js';
import { SCHEDULE_TYPES } from './types.js';

/** A config the contract refuses. `field` is a dotted path, e.g. `schedule.inner.maxLr.slice`. */
export class ConfigError extends InputError {
  declare readonly field: string;

  constructor(field: string, reason: string, kind: InputErrorKind = 'invalid') {
    super(reason, { field, kind });
    this.name = 'ConfigError';
  }

  /** The same error one level further out, e.g. `inner.lr` becomes `schedule.inner.lr`. */
  within(prefix: string): ConfigError {
    return new ConfigError(this.field ? `${prefix}.${this.field}` : prefix, this.reason, this.kind);
  }
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/**
 * The first, most specific zod issue as one ConfigError. For a union (a rate value, a schedule
 * type) zod reports every branch; we pick the branch that got furthest so that the message names
 * the field that is actually wrong rather than "invalid input".
 */
export function fromZod(error: z.ZodError, input: unknown, prefix = '', schema?: z.ZodType): ConfigError {
  const issue = typoFirst(deepest(error.issues), error.issues, input);
  const field = joinPath([...(prefix ? [prefix] : []), ...issue.path]);
  const known = issue.code === 'unrecognized_keys' && schema ? knownFields(schema, input, issue.path) : [];
  return new ConfigError(field, describe(issue, valueAt(input, issue.path), known));
}

/**
 * Parses a config with `schema`: nesting past MAX_CONFIG_DEPTH is refused before zod walks it,
 * and a failure is one ConfigError naming the field (with a did-you-mean for a mistyped key).
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  assertDepth(input, prefix);
  const r = schema.safeParse(input);
  if (!r.success) throw fromZod(r.error, input, prefix, schema);
  return r.data;
}

export function assertDepth(input: unknown, field = ''): void {
  if (exceedsDepth(input)) {
    throw new ConfigError(field, `nested more than ${MAX_CONFIG_DEPTH} levels deep (no Anneal config is)`, 'too-large');
  }
}

/** zod does not echo the offending input back, so look it up to tell "missing" from "wrong". */
function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !(key in cur)) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

type Issue = z.core.$ZodIssue;

/**
 * A required field reported missing beside an unknown one is most likely the unknown one
 * mistyped (`factr` for `factor`): report the unknown field, whose message suggests the fix.
 */
function typoFirst(issue: Issue, issues: readonly Issue[], input: unknown): Issue {
  if (issue.code !== 'invalid_type' || valueAt(input, issue.path).found) return issue;
  const parent = JSON.stringify(issue.path.slice(0, -1));
  return issues.find((i) => i.code === 'unrecognized_keys' && JSON.stringify(i.path) === parent) ?? issue;
}

function deepest(issues: readonly Issue[]): Issue {
  let best = issues[0]!;
  let bestDepth = -1;
  for (const issue of issues) {
    const candidate = expand(issue);
    if (candidate.path.length > bestDepth) {
      best = candidate;
      bestDepth = candidate.path.length;
    }
  }
  return best;
}

function expand(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  // Each branch's issues are relative to the union's own path.
  const branches = issue.errors.map((branch) => {
    const inner = deepest(branch);
    return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
  });
  return deepest(branches.length ? branches : [issue]);
}

function describe(issue: Issue, at: { found: boolean; value?: unknown }, known: readonly string[]): string {
  const last = issue.path[issue.path.length - 1];
  if (last === 'slice' && (issue.code === 'too_big' || issue.code === 'too_small' || issue.code === 'invalid_type')) {
    return 'expected [hi] or [lo, hi]';
  }
  if (last === 'type' && issue.code === 'invalid_union') {
    return at.found
      ? `unknown schedule type ${JSON.stringify(at.value)} (expected one of ${SCHEDULE_TYPES.join(', ')})`
      : 'is required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return at.found && at.value !== undefined
        ? `expected ${issue.expected}, got ${JSON.stringify(at.value)}`
        : 'is required';
    case 'unrecognized_keys':
      return unknownFieldReason(issue.keys, known);
    case 'invalid_union':
      return 'expected a number, an array of numbers, or {"slice": [lo, hi]}';
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.message;
    default:
      return issue.message;
  }
}
