// The training graph under construction: export/onnx's Graph (nodes, initializers, unique names)
// plus what a training step needs on top: graph inputs (images, every parameter, targets), graph
// outputs (loss, logits, gradients, batch statistics), nodes with several outputs, and a tape of
// backward rules run in reverse once the forward pass is built (reverse-mode differentiation as
// torch.autograd records it: each forward op pushes the closure that maps its output's gradient
// to its inputs').
import { attr, Graph, type Attribute } from '../export/onnx/graph.js';

export { attr, type Attribute };

/** A value of the training graph: its static shape in TF.js order (channels last), and its ONNX layout. */
export interface TValue {
  name: string;
  /** 'nchw': a 4-D TF.js [N, H, W, C] tensor held as [N, C, H, W]; 'plain': the TF.js shape as is. */
  layout: 'nchw' | 'plain';
  /** The TF.js shape (batch included), static: one graph per batch size. */
  shape: readonly number[];
  /** Whether a gradient must flow back into this value (it depends on a trainable parameter). */
  grad: boolean;
}

/** The ONNX shape of a value: NCHW for 'nchw' values. */
export function onnxShape(v: TValue): number[] {
  const s = v.shape;
  return v.layout === 'nchw' ? [s[0]!, s[3]!, s[1]!, s[2]!] : [...s];
}

type Dims = readonly number[];

function valueInfo(name: string, dims: Dims, elemType = 1): Record<string, unknown> {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

export class TrainGraph extends Graph {
  readonly inputs: Record<string, unknown>[] = [];
  readonly outputs: Record<string, unknown>[] = [];
  readonly #grads = new Map<string, string[]>();
  readonly #tape: (() => void)[] = [];
  readonly #claimed = new Set<string>();
  /**
   * ZeroPadding2D outputs by name: the unpadded value and the ONNX pads [top, left, bottom, right],
   * for a convolution reading one to pad by itself (conv-bn.ts). By name, not on the TValue, which
   * layers copy into their outputs.
   */
  readonly paddings = new Map<string, { x: TValue; pads: readonly number[] }>();

  /** Reserves an output name before any layer can take it. */
  claim(name: string): void {
    this.reserve(name);
    this.#claimed.add(name);
  }

  /** A float32 graph input of fixed shape, under exactly `name`. */
  input(name: string, dims: Dims): string {
    this.reserve(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Exposes `value` as a graph output named `name` (an Identity, so the name is free to choose). */
  output(name: string, value: string, dims: Dims): void {
    if (!this.#claimed.delete(name)) this.reserve(name);
    this.nodes.push({ opType: 'Identity', name, input: [value], output: [name] });
    this.outputs.push(valueInfo(name, dims));
  }

  /** A node with several outputs; returns their names. */
  multi(
    opType: string,
    inputs: readonly string[],
    names: readonly string[],
    attributes: readonly Attribute[] = [],
    domain?: string,
  ): string[] {
    const outputs = names.map((n) => this.unique(n));
    this.nodes.push({
      opType,
      name: outputs[0],
      input: [...inputs],
      output: outputs,
      attribute: [...attributes],
      ...(domain ? { domain } : {}),
    });
    return outputs;
  }

  /** A node of a non-default operator set (com.microsoft contrib operators). */
  opIn(
    domain: string,
    opType: string,
    inputs: readonly string[],
    name: string,
    attributes: readonly Attribute[] = [],
  ): string {
    return this.multi(opType, inputs, [name], attributes, domain)[0]!;
  }

  scalar(name: string, v: number): string {
    return this.floats(name, [], Float32Array.of(v));
  }

  /** Registers the backward rule of the op just built; rules run last-pushed first. */
  backward(rule: () => void): void {
    this.#tape.push(rule);
  }

  /** Adds `grad` to the gradient flowing into `v` (a value read by several ops gets the sum). */
  addGrad(v: TValue, grad: string): void {
    if (!v.grad) return;
    const list = this.#grads.get(v.name);
    if (list) list.push(grad);
    else this.#grads.set(v.name, [grad]);
  }

  /** The total gradient of `v`, or null where none flows (nothing trainable downstream of it). */
  gradOf(v: TValue): string | null {
    const list = this.#grads.get(v.name);
    if (!list?.length) return null;
    if (list.length === 1) return list[0]!;
    const sum = list.length === 2 ? this.op('Add', list, `${v.name}.grad`) : this.op('Sum', list, `${v.name}.grad`);
    this.#grads.set(v.name, [sum]);
    return sum;
  }

  /**
   * Drops the nodes no graph output depends on (a Pad whose only reader padded by itself), which
   * onnxruntime would otherwise run, and the initializers only they read.
   */
  prune(): void {
    const needed = new Set(this.outputs.map((o) => o.name as string));
    const kept: Record<string, unknown>[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      if (!(node.output as string[]).some((o) => needed.has(o))) continue;
      for (const input of node.input as string[]) needed.add(input);
      kept.push(node);
    }
    this.nodes.splice(0, this.nodes.length, ...kept.reverse());
    const read = this.initializers.filter((t) => needed.has(t.name as string));
    this.initializers.splice(0, this.initializers.length, ...read);
  }

  /** Runs the tape backwards. */
  differentiate(): void {
    for (let i = this.#tape.length - 1; i >= 0; i--) this.#tape[i]!();
    this.#tape.length = 0;
  }
}
