// ModelProto through the official schema: onnx.proto (vendored next to this file) read by
// protobufjs, so the bytes written are what every ONNX runtime parses, field numbers and all.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** onnx.proto's TensorProto.DataType values used here. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;
/** onnx.proto's AttributeProto.AttributeType values used here. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

let root: protobuf.Root | undefined;

function schema(): protobuf.Root {
  root ??= protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
  return root;
}

/** The ModelProto message type (field names in protobufjs's camelCase: irVersion, opsetImport, …). */
export function modelProto(): protobuf.Type {
  return schema().lookupType('onnx.ModelProto');
}

/** Serialises a plain-object ModelProto; unknown fields are refused rather than silently dropped. */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const type = modelProto();
  const problem = type.verify(model);
  if (problem) throw new Error(`ONNX ModelProto: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses ModelProto bytes into a plain object (int64 as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProto();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as Record<string, unknown>;
}
