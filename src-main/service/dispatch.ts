// One incoming call, from either adapter: validate against the contract, run the handler, and
// turn a failure into one line for the user. Input the user can fix (a bad path, a wrong config
// field: every InputError, engine/errors.ts) is a "usage" error, as the CLI's exit 2; anything
// else is a "failure".
import { parseRequest, type Channel } from '../contract/index.js';
import { isInputError } from '../engine/index.js';
import type { Handlers } from './handlers.js';

export type Outcome = { ok: true; result: unknown } | { ok: false; error: string; kind: 'usage' | 'failure' };

export async function dispatch(handlers: Handlers, channel: unknown, payload: unknown): Promise<Outcome> {
  try {
    const request = parseRequest(channel, payload);
    const handler = handlers[channel as Channel] as (r: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(request) };
  } catch (e) {
    const usage = isInputError(e);
    const message = e instanceof Error ? e.message : String(e);
    if (!usage && process.env.ANNEAL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return { ok: false, error: message, kind: usage ? 'usage' : 'failure' };
  }
}
