// The commands that steer a running job, defined once for every way in: `anneal control`, the
// lines of <run>/control.jsonl, and the contract's train.control (which takes them from a page or
// a socket, hence strict objects and bounds). Pure zod: the contract and the renderer import it.
import { z } from 'zod';

export const ControlCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('pause') }),
  z.strictObject({ action: z.literal('resume') }),
  z.strictObject({ action: z.literal('stop'), reason: z.string().max(500).optional() }),
  /** Multiply every rate from now on by `scale`, or scale so the head's rate becomes `to`: one of them. */
  z
    .strictObject({
      action: z.literal('lr'),
      scale: z.number().positive().max(1e3).optional(),
      to: z.number().positive().max(1e3).optional(),
    })
    .refine((c) => (c.scale === undefined) !== (c.to === undefined), 'give exactly one of scale and to'),
]);
export type ControlCommand = z.infer<typeof ControlCommand>;
