/**
 * A small, schema-driven protobuf codec that never loses data.
 *
 * ONNX files are protobuf messages. The compiler rewrites parts of them (dims, initializers, precision) and must
 * keep everything else byte-for-byte meaningful, including fields added by ONNX versions newer than this code.
 * Decoding therefore keeps every field the schema does not name in an `$unknown` list, and encoding writes those
 * back unchanged. No code generation and no dependency: the ONNX schema is a table in `schema.ts`.
 */
import { QaicError } from '../errors.js';

/** Protobuf wire types: how a field's payload is encoded on the wire (the low 3 bits of its tag). */
export const enum WireType {
  /** A base-128 varint (int32, int64, uint*, bool, enum). */
  Varint = 0,
  /** 8 little-endian bytes (fixed64, sfixed64, double). */
  Fixed64 = 1,
  /** A varint byte length, then that many bytes (string, bytes, sub-message, packed repeated). */
  LengthDelimited = 2,
  /** Start of a group (deprecated proto2 encoding). */
  StartGroup = 3,
  /** End of a group (deprecated proto2 encoding). */
  EndGroup = 4,
  /** 4 little-endian bytes (fixed32, sfixed32, float). */
  Fixed32 = 5,
}

/** A field the schema does not know, kept as it was read. */
export interface UnknownField {
  /** The field number from its tag. */
  no: number;
  /** How the payload is encoded; says how to read `value`. */
  wireType: WireType;
  /** varint value, or the raw bytes for fixed32/fixed64/length-delimited/group payloads */
  value: bigint | Uint8Array;
}

/** Scalar kinds a schema field may have. Repeated numeric fields decode to typed arrays where noted. */
export type ScalarKind =
  | 'int32' // varint, sign-extended 64-bit on the wire; enums too
  | 'int64' // varint; number when safe, bigint otherwise
  | 'uint64' // varint; number when safe, bigint otherwise
  | 'bool'
  | 'float' // fixed32
  | 'double' // fixed64
  | 'string' // utf-8
  | 'bytes' // Uint8Array (a view into the source buffer)
  | 'f32[]' // repeated float as Float32Array (packed or not)
  | 'f64[]' // repeated double as Float64Array
  | 'i32[]' // repeated int32 as Int32Array
  | 'i64[]' // repeated int64 as BigInt64Array
  | 'u64[]'; // repeated uint64 as BigUint64Array

/** One field of a message schema. */
export interface FieldSpec {
  no: number;
  name: string;
  kind: ScalarKind | MessageSchema;
  repeated?: boolean;
  /** encode repeated scalars packed (decode accepts both forms regardless) */
  packed?: boolean;
}

/** A message schema: its fields, by number. */
export interface MessageSchema {
  name: string;
  fields: FieldSpec[];
  /** filled lazily: number → spec */
  byNo?: Map<number, FieldSpec>;
}

/** A decoded message: named fields plus the fields the schema does not know. */
export type DecodedMessage = Record<string, unknown> & { $unknown?: UnknownField[] };

const textDecoder = new TextDecoder('utf-8', { fatal: false });
const textEncoder = new TextEncoder();

function specMap(schema: MessageSchema): Map<number, FieldSpec> {
  if (schema.byNo === undefined) schema.byNo = new Map(schema.fields.map((f) => [f.no, f]));
  return schema.byNo;
}

/** Sequential reader over protobuf bytes; every read is bounds-checked. */
export class ProtoReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  private fail(what: string): never {
    throw new QaicError('QAIC_MODEL_INVALID', `malformed protobuf: ${what} at byte ${this.pos}`);
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & 0xffffffffffffffffn;
      shift += 7n;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Fast path for varints known to be small (tags, lengths). */
  smallVarint(): number {
    let result = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * mult;
      if ((byte & 0x80) === 0) return result;
      mult *= 128;
    }
    return this.fail('length or tag too large');
  }

  bytes(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.end) this.fail(`length ${length} runs past the end (${this.end})`);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  lengthDelimited(): Uint8Array {
    return this.bytes(this.smallVarint());
  }

  skipGroup(no: number): Uint8Array {
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated group');
      const tagPos = this.pos;
      const tag = this.smallVarint();
      const wt = tag & 7;
      if (wt === WireType.EndGroup) {
        if (tag >>> 3 !== no) this.fail('mismatched group end');
        return this.buf.subarray(start, tagPos);
      }
      this.skip(wt, tag >>> 3);
    }
  }

  skip(wt: number, no: number): void {
    switch (wt) {
      case WireType.Varint: this.varint(); return;
      case WireType.Fixed64: this.bytes(8); return;
      case WireType.LengthDelimited: this.lengthDelimited(); return;
      case WireType.Fixed32: this.bytes(4); return;
      case WireType.StartGroup: this.skipGroup(no); return;
      default: this.fail(`invalid wire type ${wt}`);
    }
  }
}

/** Growable byte writer. */
export class ProtoWriter {
  private buf = new Uint8Array(1024);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  varint(value: bigint | number): void {
    let v = typeof value === 'bigint' ? BigInt.asUintN(64, value) : value;
    if (typeof v === 'number') {
      if (v >= 0 && v < 2 ** 31) {
        this.ensure(5);
        while (v > 0x7f) {
          this.buf[this.length++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        this.buf[this.length++] = v;
        return;
      }
      v = BigInt.asUintN(64, BigInt(v));
    }
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
  }

  tag(no: number, wt: WireType): void {
    this.varint(no * 8 + wt);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  lengthDelimited(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function toNumberOrBigint(v: bigint, signed: boolean): number | bigint {
  const value = signed ? BigInt.asIntN(64, v) : v;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function readFixed32Float(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}

function readFixed64Double(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

/** Collects repeated scalars before they become typed arrays. */
type Accumulator = number[] | bigint[];

function isMessageKind(kind: FieldSpec['kind']): kind is MessageSchema {
  return typeof kind === 'object';
}

/** Decode `buf[start, end)` as a message of `schema`. */
export function decodeMessage(schema: MessageSchema, buf: Uint8Array, start = 0, end = buf.length): DecodedMessage {
  const reader = new ProtoReader(buf, start, end);
  const out: DecodedMessage = {};
  const accumulators = new Map<string, Accumulator>();
  const specs = specMap(schema);
  while (reader.pos < reader.end) {
    const tag = reader.smallVarint();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 0) throw new QaicError('QAIC_MODEL_INVALID', `malformed protobuf: field number 0 in ${schema.name}`);
    const spec = specs.get(no);
    if (spec === undefined || !wireTypeFits(spec, wt)) {
      const value = readUnknown(reader, wt, no);
      (out.$unknown ??= []).push({ no, wireType: wt as WireType, value });
      continue;
    }
    readKnown(reader, spec, wt, out, accumulators);
  }
  for (const [name, acc] of accumulators) out[name] = finishAccumulator(specByName(schema, name).kind as ScalarKind, acc);
  return out;
}

function specByName(schema: MessageSchema, name: string): FieldSpec {
  return schema.fields.find((f) => f.name === name)!;
}

function wireTypeFits(spec: FieldSpec, wt: number): boolean {
  const kind = spec.kind;
  if (isMessageKind(kind)) return wt === WireType.LengthDelimited;
  switch (kind) {
    case 'int32': case 'int64': case 'uint64': case 'bool':
      return wt === WireType.Varint || (spec.repeated === true && wt === WireType.LengthDelimited);
    case 'float': return wt === WireType.Fixed32 || (spec.repeated === true && wt === WireType.LengthDelimited);
    case 'double': return wt === WireType.Fixed64 || (spec.repeated === true && wt === WireType.LengthDelimited);
    case 'string': case 'bytes': return wt === WireType.LengthDelimited;
    case 'f32[]': return wt === WireType.Fixed32 || wt === WireType.LengthDelimited;
    case 'f64[]': case 'u64[]':
      return (kind === 'f64[]' ? wt === WireType.Fixed64 : wt === WireType.Varint) || wt === WireType.LengthDelimited;
    case 'i32[]': case 'i64[]': return wt === WireType.Varint || wt === WireType.LengthDelimited;
  }
}

function readUnknown(reader: ProtoReader, wt: number, no: number): bigint | Uint8Array {
  switch (wt) {
    case WireType.Varint: return reader.varint();
    case WireType.Fixed64: return reader.bytes(8);
    case WireType.LengthDelimited: return reader.lengthDelimited();
    case WireType.Fixed32: return reader.bytes(4);
    case WireType.StartGroup: return reader.skipGroup(no);
    default: throw new QaicError('QAIC_MODEL_INVALID', `malformed protobuf: invalid wire type ${wt} at byte ${reader.pos}`);
  }
}

function pushScalar(acc: Accumulator, v: number | bigint): void {
  (acc as (number | bigint)[]).push(v);
}

function readOneScalar(reader: ProtoReader, kind: ScalarKind, wt: number): number | bigint {
  switch (kind) {
    case 'int32': return Number(BigInt.asIntN(32, reader.varint()));
    case 'int64': return toNumberOrBigint(reader.varint(), true);
    case 'uint64': return toNumberOrBigint(reader.varint(), false);
    case 'bool': return reader.varint() !== 0n ? 1 : 0;
    case 'float': case 'f32[]': return readFixed32Float(reader.bytes(4));
    case 'double': case 'f64[]': return readFixed64Double(reader.bytes(8));
    case 'i32[]': return Number(BigInt.asIntN(32, reader.varint()));
    case 'i64[]': return BigInt.asIntN(64, reader.varint());
    case 'u64[]':
      if (wt === WireType.Fixed64) return new DataView(reader.bytes(8).buffer).getBigUint64(0, true);
      return reader.varint();
    default: throw new QaicError('QAIC_INTERNAL', `not a numeric kind: ${kind}`);
  }
}

function readKnown(reader: ProtoReader, spec: FieldSpec, wt: number, out: DecodedMessage, accs: Map<string, Accumulator>): void {
  const kind = spec.kind;
  if (isMessageKind(kind)) {
    const bytes = reader.lengthDelimited();
    const value = decodeMessage(kind, bytes);
    if (spec.repeated === true) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
    return;
  }
  if (kind === 'string' || kind === 'bytes') {
    const bytes = reader.lengthDelimited();
    const value = kind === 'string' ? textDecoder.decode(bytes) : bytes;
    if (spec.repeated === true) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
    return;
  }
  const isArrayKind = kind.endsWith('[]');
  if (spec.repeated === true || isArrayKind) {
    let acc = accs.get(spec.name);
    if (acc === undefined) {
      acc = [];
      accs.set(spec.name, acc);
    }
    if (wt === WireType.LengthDelimited) {
      const bytes = reader.lengthDelimited();
      const sub = new ProtoReader(bytes);
      const elemWt = kind === 'float' || kind === 'f32[]' ? WireType.Fixed32
        : kind === 'double' || kind === 'f64[]' ? WireType.Fixed64 : WireType.Varint;
      while (sub.pos < sub.end) pushScalar(acc, readOneScalar(sub, kind, elemWt));
    } else {
      pushScalar(acc, readOneScalar(reader, kind, wt));
    }
    return;
  }
  out[spec.name] = readOneScalar(reader, kind, wt);
}

function finishAccumulator(kind: ScalarKind, acc: Accumulator): unknown {
  switch (kind) {
    case 'f32[]': return Float32Array.from(acc as number[]);
    case 'f64[]': return Float64Array.from(acc as number[]);
    case 'i32[]': return Int32Array.from(acc as number[]);
    case 'i64[]': return BigInt64Array.from(acc as bigint[]);
    case 'u64[]': return BigUint64Array.from(acc as bigint[]);
    default: return acc;
  }
}

/** Encode a decoded (or hand-built) message of `schema`. Unknown fields are written after the known ones. */
export function encodeMessage(schema: MessageSchema, message: DecodedMessage, writer = new ProtoWriter()): ProtoWriter {
  for (const spec of schema.fields) {
    const value = message[spec.name];
    if (value === undefined || value === null) continue;
    encodeField(writer, spec, value);
  }
  for (const field of message.$unknown ?? []) {
    writer.tag(field.no, field.wireType);
    if (field.wireType === WireType.Varint) writer.varint(field.value as bigint);
    else if (field.wireType === WireType.LengthDelimited) writer.lengthDelimited(field.value as Uint8Array);
    else if (field.wireType === WireType.StartGroup) {
      writer.raw(field.value as Uint8Array);
      writer.tag(field.no, WireType.EndGroup);
    } else writer.raw(field.value as Uint8Array);
  }
  return writer;
}

function encodeField(writer: ProtoWriter, spec: FieldSpec, value: unknown): void {
  const kind = spec.kind;
  if (isMessageKind(kind)) {
    const items = spec.repeated === true ? (value as DecodedMessage[]) : [value as DecodedMessage];
    for (const item of items) {
      writer.tag(spec.no, WireType.LengthDelimited);
      writer.lengthDelimited(encodeMessage(kind, item).finish());
    }
    return;
  }
  if (kind === 'string' || kind === 'bytes') {
    const items = spec.repeated === true ? (value as unknown[]) : [value];
    for (const item of items) {
      writer.tag(spec.no, WireType.LengthDelimited);
      writer.lengthDelimited(typeof item === 'string' ? textEncoder.encode(item) : (item as Uint8Array));
    }
    return;
  }
  const isArrayKind = kind.endsWith('[]');
  if (spec.repeated === true || isArrayKind) {
    const items = value as ArrayLike<number | bigint>;
    if (items.length === 0) return;
    if (spec.packed === true) {
      const sub = new ProtoWriter();
      for (let i = 0; i < items.length; i++) writeScalar(sub, kind, items[i]!);
      writer.tag(spec.no, WireType.LengthDelimited);
      writer.lengthDelimited(sub.finish());
    } else {
      for (let i = 0; i < items.length; i++) {
        writer.tag(spec.no, scalarWireType(kind));
        writeScalar(writer, kind, items[i]!);
      }
    }
    return;
  }
  writer.tag(spec.no, scalarWireType(kind));
  writeScalar(writer, kind, value as number | bigint);
}

function scalarWireType(kind: ScalarKind): WireType {
  switch (kind) {
    case 'float': case 'f32[]': return WireType.Fixed32;
    case 'double': case 'f64[]': return WireType.Fixed64;
    default: return WireType.Varint;
  }
}

const scratch = new DataView(new ArrayBuffer(8));

function writeScalar(writer: ProtoWriter, kind: ScalarKind, value: number | bigint): void {
  switch (kind) {
    case 'float': case 'f32[]':
      scratch.setFloat32(0, Number(value), true);
      writer.raw(new Uint8Array(scratch.buffer, 0, 4));
      return;
    case 'double': case 'f64[]':
      scratch.setFloat64(0, Number(value), true);
      writer.raw(new Uint8Array(scratch.buffer, 0, 8));
      return;
    case 'bool':
      writer.varint(value ? 1 : 0);
      return;
    case 'int32': case 'i32[]':
      writer.varint(BigInt(Math.trunc(Number(value))));
      return;
    default:
      writer.varint(typeof value === 'bigint' ? value : BigInt(Math.trunc(value)));
  }
}
