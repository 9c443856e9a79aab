// An ONNX graph under construction: nodes in topological order, initializers (the weights), and
// the layout of every value. Convolutions in ONNX are NCHW while TF.js is NHWC, so each 4-D value
// is kept NCHW in the graph (transposed once after the input) and everything else as TF.js has it.
import { endianness } from 'node:os';
import { ATTRIBUTE_TYPE, DATA_TYPE } from './proto.js';

/** 'nchw': a 4-D TF.js tensor [N, H, W, C] held as [N, C, H, W]; 'plain': the TF.js shape as is. */
export type Layout = 'nchw' | 'plain';

/** A value of the graph, with the shape TF.js gives it (channels last; null where dynamic). */
export interface Value {
  name: string;
  layout: Layout;
  shape: readonly (number | null)[];
}

export type Attribute = Record<string, unknown> & { name: string; type: number };

export const attr = {
  int: (name: string, i: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.INT, i }),
  ints: (name: string, ints: readonly number[]): Attribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: [...ints] }),
  float: (name: string, f: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f }),
  string: (name: string, s: string): Attribute => ({
    name,
    type: ATTRIBUTE_TYPE.STRING,
    s: new TextEncoder().encode(s),
  }),
};

/** TensorProto.raw_data is little-endian; so is every platform Node's prebuilt binaries target. */
function littleEndianBytes(a: Float32Array | BigInt64Array): Uint8Array {
  if (endianness() !== 'LE') throw new Error('ONNX export needs a little-endian machine');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class Graph {
  readonly nodes: Record<string, unknown>[] = [];
  readonly initializers: Record<string, unknown>[] = [];
  private readonly names = new Set<string>();

  /** `base`, or `base_2`, `base_3`… : every value, node and initializer name is unique in a graph. */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Marks a name as taken (the graph's inputs and outputs), before any layer is converted. */
  reserve(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: ${name} is used twice`);
    this.names.add(name);
  }

  floats(name: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX initializer ${name}: ${data.length} values for shape [${dims}]`);
    const unique = this.unique(name);
    this.initializers.push({
      name: unique,
      dims: [...dims],
      dataType: DATA_TYPE.FLOAT,
      rawData: littleEndianBytes(data),
    });
    return unique;
  }

  int64s(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name: unique,
      dims: [values.length],
      dataType: DATA_TYPE.INT64,
      rawData: littleEndianBytes(data),
    });
    return unique;
  }

  /** Adds a node with one output, named after `name`; returns the output's name. */
  op(opType: string, inputs: readonly string[], name: string, attributes: readonly Attribute[] = []): string {
    // Node names and value names are separate namespaces in ONNX; one name for both reads best.
    const output = this.unique(name);
    this.nodes.push({ opType, name: output, input: [...inputs], output: [output], attribute: [...attributes] });
    return output;
  }
}
