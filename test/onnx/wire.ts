/**
 * A protobuf writer for the codec tests, independent of `lib/onnx/protobuf.ts`: each helper returns the exact wire
 * bytes of one piece (a varint, a tag, a field), so a test spells out the bytes it expects and checks the codec
 * against them rather than against itself.
 */

/** Wire types by name, as numbers (the codec's `WireType` is a const enum). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** The varint of `value` as an unsigned 64-bit integer (negative values in two's complement: 10 bytes). */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A field's tag. */
export function tag(no: number, wireType: number): number[] {
  return varint(no * 8 + wireType);
}

/** A varint field. */
export function varintField(no: number, value: number | bigint): number[] {
  return [...tag(no, VARINT), ...varint(value)];
}

/** A length-delimited field: tag, length, payload (a sub-message, string, bytes or packed run). */
export function lenField(no: number, payload: ArrayLike<number>): number[] {
  return [...tag(no, LEN), ...varint(payload.length), ...Array.from(payload)];
}

/** A string field (UTF-8). */
export function stringField(no: number, s: string): number[] {
  return lenField(no, new TextEncoder().encode(s));
}

/** The 4 little-endian bytes of a float32. */
export function f32(x: number): number[] {
  return Array.from(new Uint8Array(new Float32Array([x]).buffer));
}

/** A fixed32 float field. */
export function floatField(no: number, x: number): number[] {
  return [...tag(no, FIXED32), ...f32(x)];
}

/** Concatenate pieces into message bytes. */
export function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
