/**
 * A small, schema-driven protobuf codec that never loses data.
 *
 * ONNX files are protobuf messages. The compiler rewrites parts of them (dims, initializers, precision) and must
 * keep everything else byte-for-byte meaningful, including fields added by ONNX versions newer than this code.
 * Decoding therefore keeps every field the schema does not name in an `$unknown` list, with the place it was read
 * at, and encoding writes those back there. No code generation and no dependency: the ONNX schema is a table in
 * `schema.ts`.
 *
 * Decoding then encoding an unedited message gives back the same bytes whenever the input was written the way
 * protobuf encoders write (the C++, Java, Python and JavaScript runtimes all do):
 * - known fields in field-number order, whatever order the schema table lists them in;
 * - repeated numbers packed or not as they were read (a field read in the form the schema does not default to is
 *   recorded in `$packed`);
 * - unknown fields where they were (after the known field that preceded them);
 * - negative int32 and enum values as 10-byte varints, 64-bit values in full.
 * What cannot round-trip is what no encoder writes: fields out of number order, a singular field repeated, a
 * repeated field split around other fields, varints longer than needed, and strings that are not valid UTF-8.
 *
 * Encoding is two passes over the message tree: the first computes every sub-message's, string's and packed
 * field's byte length (kept in one array, in visiting order), the second writes into one buffer of the exact total
 * size, taking those lengths back in the same order. No sub-message is encoded apart and copied into its parent.
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
  /**
   * The payload: the varint value (unsigned 64-bit) for `Varint`; the raw bytes for `Fixed32`/`Fixed64`, for
   * `LengthDelimited` (without the length) and for `StartGroup` (the group's fields, without the end tag).
   */
  value: bigint | Uint8Array;
  /**
   * Where it was read: the number of the known field read just before it, 0 when it came before every known field.
   * Encoding writes it back at that place (after that field, before the next higher-numbered known field). Absent on
   * fields made in code: those are written after all known fields, in list order, as protobuf encoders write the
   * unknown fields they carry.
   */
  after?: number;
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
  /** The field number (the tag's upper bits). */
  no: number;
  /** The property name in decoded messages (the `.proto` field name). */
  name: string;
  /** A scalar kind, or the schema of a sub-message. */
  kind: ScalarKind | MessageSchema;
  /** A `repeated` field (the `*[]` kinds are repeated whatever this says). */
  repeated?: boolean;
  /** Repeated numbers are written packed by default (decoding accepts both forms and records which it read). */
  packed?: boolean;
}

/** A message schema: its fields, in any order (encoding writes them in field-number order). */
export interface MessageSchema {
  /** The message's name, for error messages. */
  name: string;
  /** The fields the codec decodes by name; any other field number is kept in `$unknown`. */
  fields: FieldSpec[];
}

/** A decoded message: named fields plus the fields the schema does not know and the wire forms it read. */
export type DecodedMessage = Record<string, unknown> & {
  $unknown?: UnknownField[];
  $packed?: Record<string, boolean>;
};

/** Largest message protobuf allows (2 GiB - 1): its parsers refuse bigger ones, and ONNX moves weights to external files. */
export const MAX_MESSAGE_BYTES = 0x7fffffff;

/** Deepest message nesting decoded or encoded (protobuf's own parsers stop at 100 too). */
export const MAX_NESTING = 100;

// ---------------------------------------------------------------------------------------------------------------
// Compiled schemas: field kinds as small integers, fields by number and in number order.

const enum K { Int32, Int64, Uint64, Bool, Float, Double, String, Bytes, F32s, F64s, I32s, I64s, U64s, Message }

interface Field {
  no: number;
  name: string;
  kind: K;
  /** the sub-message's compiled schema (kind Message) */
  sub: Compiled | undefined;
  /** a repeated field: decoded to an array (typed for the `*[]` kinds) */
  repeated: boolean;
  /** repeated numbers: packed unless the message's `$packed` says otherwise */
  packed: boolean;
  /** a repeated number kind: may come packed or one element per tag */
  packable: boolean;
  /** the wire type of one element (or of the whole field for strings, bytes and messages) */
  wireType: WireType;
  /** the tag with `wireType` */
  tag: number;
  /** the tag of a packed run */
  packedTag: number;
  /** bytes of either tag */
  tagSize: number;
}

interface Compiled {
  name: string;
  /** indexed by field number */
  byNo: (Field | undefined)[];
  /** ascending field numbers: the order encoders write */
  ordered: Field[];
}

const compiledSchemas = new WeakMap<MessageSchema, Compiled>();

const kindCodes: Record<ScalarKind, K> = {
  int32: K.Int32, int64: K.Int64, uint64: K.Uint64, bool: K.Bool, float: K.Float, double: K.Double,
  string: K.String, bytes: K.Bytes, 'f32[]': K.F32s, 'f64[]': K.F64s, 'i32[]': K.I32s, 'i64[]': K.I64s, 'u64[]': K.U64s,
};

function elementWireType(kind: K): WireType {
  switch (kind) {
    case K.Float: case K.F32s: return WireType.Fixed32;
    case K.Double: case K.F64s: return WireType.Fixed64;
    case K.String: case K.Bytes: case K.Message: return WireType.LengthDelimited;
    default: return WireType.Varint;
  }
}

function tagOf(no: number, wt: WireType): number {
  return (no * 8 + wt) >>> 0;
}

function compile(schema: MessageSchema): Compiled {
  const done = compiledSchemas.get(schema);
  if (done !== undefined) return done;
  const compiled: Compiled = { name: schema.name, byNo: [], ordered: [] };
  compiledSchemas.set(schema, compiled); // before the fields: schemas refer to each other recursively
  try {
    compileFields(schema, compiled);
  } catch (error) {
    compiledSchemas.delete(schema);
    throw error;
  }
  return compiled;
}

function isArrayKind(kind: K): boolean {
  return kind >= K.F32s && kind <= K.U64s;
}

function compileFields(schema: MessageSchema, compiled: Compiled): void {
  const names = new Set<string>();
  for (const spec of schema.fields) {
    if (!Number.isInteger(spec.no) || spec.no < 1 || spec.no > 0x1fffffff || compiled.byNo[spec.no] !== undefined || names.has(spec.name)) {
      throw new QaicError('QAIC_INTERNAL', `schema ${schema.name}: field ${spec.name} = ${spec.no} is a duplicate or not a valid field number`);
    }
    names.add(spec.name);
    const isMessage = typeof spec.kind === 'object';
    const kind = isMessage ? K.Message : kindCodes[spec.kind as ScalarKind];
    const repeated = isArrayKind(kind) || spec.repeated === true;
    const packable = repeated && kind !== K.String && kind !== K.Bytes && kind !== K.Message;
    const wireType = elementWireType(kind);
    const field: Field = {
      no: spec.no, name: spec.name, kind, sub: undefined, repeated, packable, packed: packable && spec.packed === true, wireType,
      tag: tagOf(spec.no, wireType), packedTag: tagOf(spec.no, WireType.LengthDelimited), tagSize: varint32Size(tagOf(spec.no, 0)),
    };
    compiled.byNo[spec.no] = field;
    compiled.ordered.push(field);
  }
  compiled.ordered.sort((a, b) => a.no - b.no);
  for (const spec of schema.fields) {
    if (typeof spec.kind === 'object') compiled.byNo[spec.no]!.sub = compile(spec.kind);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Sequential reader over protobuf bytes; every read is bounds-checked against `end`. */
class Reader {
  pos: number;
  end: number;
  /** the high 32 bits of the last `varint64()` */
  hi = 0;
  readonly view: DataView;

  constructor(readonly buf: Uint8Array, start: number, end: number) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(what: string): never {
    throw new QaicError('QAIC_MODEL_INVALID', `malformed protobuf: ${what} at byte ${this.pos}`);
  }

  private byte(): number {
    if (this.pos >= this.end) this.fail('truncated varint');
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, int32 and enum values, which may take 10 bytes). */
  uint32(): number {
    let b = this.byte();
    let v = b & 0x7f;
    if (b < 0x80) return v;
    b = this.byte(); v |= (b & 0x7f) << 7;
    if (b < 0x80) return v;
    b = this.byte(); v |= (b & 0x7f) << 14;
    if (b < 0x80) return v;
    b = this.byte(); v |= (b & 0x7f) << 21;
    if (b < 0x80) return v;
    b = this.byte(); v |= b << 28;
    if (b < 0x80) return v >>> 0;
    for (let i = 5; i < 10; i++) if (this.byte() < 0x80) return v >>> 0;
    return this.fail('varint longer than 10 bytes');
  }

  /** A 64-bit varint: returns the low 32 bits, unsigned, and leaves the high 32 bits in `hi`. */
  varint64(): number {
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.hi = 0;
        return lo >>> 0;
      }
    }
    b = this.byte();
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) this.fail('varint longer than 10 bytes');
        b = this.byte();
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** A length prefix, checked against the bytes left. */
  length(): number {
    const length = this.uint32();
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the end (${this.end})`);
    return length;
  }

  bytes(length: number): Uint8Array {
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the end (${this.end})`);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  float32(): number {
    if (this.end - this.pos < 4) this.fail('truncated fixed32');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    if (this.end - this.pos < 8) this.fail('truncated fixed64');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  string(length: number): string {
    const start = this.pos;
    const end = start + length;
    if (length > this.end - start) this.fail(`length ${length} runs past the end (${this.end})`);
    this.pos = end;
    const buf = this.buf;
    if (length <= 64) {
      // ONNX strings are mostly short ASCII names: building them here is several times faster than a TextDecoder call
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (buf[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    }
    return textDecoder.decode(buf.subarray(start, end));
  }

  /** The fields of a group whose start tag was just read, up to (not including) its end tag. */
  group(no: number, depth: number): Uint8Array {
    if (depth > MAX_NESTING) this.fail(`groups nested deeper than ${MAX_NESTING}`);
    const start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated group');
      const tagPos = this.pos;
      const tag = this.uint32();
      const wt = tag & 7;
      if (wt === WireType.EndGroup) {
        if (tag >>> 3 !== no) this.fail('mismatched group end');
        return this.buf.subarray(start, tagPos);
      }
      this.unknown(wt, tag >>> 3, depth + 1);
    }
  }

  /** The payload of a field kept unknown (see {@link UnknownField.value}). */
  unknown(wt: number, no: number, depth: number): bigint | Uint8Array {
    switch (wt) {
      case WireType.Varint: {
        const lo = this.varint64();
        return (BigInt(this.hi) << 32n) | BigInt(lo);
      }
      case WireType.Fixed64: return this.bytes(8);
      case WireType.LengthDelimited: return this.bytes(this.length());
      case WireType.Fixed32: return this.bytes(4);
      case WireType.StartGroup: return this.group(no, depth);
      default: return this.fail(`invalid wire type ${wt}`);
    }
  }
}

/** A 64-bit value from its halves: a number when it is a safe integer, else a bigint. */
function int64Value(lo: number, hi: number, signed: boolean): number | bigint {
  const v = (signed ? hi | 0 : hi) * TWO_32 + lo;
  if (Number.isSafeInteger(v)) return v;
  const u = (BigInt(hi) << 32n) | BigInt(lo);
  return signed ? BigInt.asIntN(64, u) : u;
}

/** Number of varints in `buf[start, end)`: the bytes without a continuation bit. */
function countVarints(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (buf[i]! < 0x80) n++;
  return n;
}

type TypedNumbers = Float32Array | Float64Array | Int32Array | BigInt64Array | BigUint64Array;

/** Elements of one `*[]` field collected over several tags before they become one typed array. */
type Parts = Array<TypedNumbers | number | bigint>;

/** Read one packed run of a `*[]` field into a fresh typed array. */
function readPackedArray(r: Reader, kind: K, length: number): TypedNumbers {
  const start = r.pos;
  const end = start + length;
  const buf = r.buf;
  if (kind === K.F32s || kind === K.F64s) {
    const size = kind === K.F32s ? 4 : 8;
    if (length % size !== 0) r.fail(`packed ${kind === K.F32s ? 'float' : 'double'} field of ${length} bytes`);
    const n = length / size;
    const out = kind === K.F32s ? new Float32Array(n) : new Float64Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(start, end));
    else for (let i = 0; i < n; i++) out[i] = kind === K.F32s ? r.view.getFloat32(start + i * 4, true) : r.view.getFloat64(start + i * 8, true);
    r.pos = end;
    return out;
  }
  const n = countVarints(buf, start, end);
  const saved = r.end;
  r.end = end;
  let out: TypedNumbers;
  if (kind === K.I32s) {
    const ints = new Int32Array(n);
    for (let i = 0; i < n; i++) ints[i] = r.uint32() | 0;
    out = ints;
  } else {
    const wide = kind === K.I64s ? new BigInt64Array(n) : new BigUint64Array(n);
    if (LITTLE_ENDIAN) {
      const halves = new Uint32Array(wide.buffer);
      for (let i = 0; i < n; i++) {
        halves[2 * i] = r.varint64();
        halves[2 * i + 1] = r.hi;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const lo = r.varint64();
        const u = (BigInt(r.hi) << 32n) | BigInt(lo);
        wide[i] = kind === K.I64s ? BigInt.asIntN(64, u) : u;
      }
    }
    out = wide;
  }
  if (r.pos !== end) r.fail('packed field ends inside a varint');
  r.end = saved;
  return out;
}

/** One element of a repeated or singular number field, in its own (unpacked) wire form. */
function readNumber(r: Reader, kind: K): number | bigint {
  switch (kind) {
    case K.Int32: case K.I32s: return r.uint32() | 0;
    case K.Bool: return r.varint64() !== 0 || r.hi !== 0 ? 1 : 0;
    case K.Float: case K.F32s: return r.float32();
    case K.Double: case K.F64s: return r.float64();
    case K.Int64: { const lo = r.varint64(); return int64Value(lo, r.hi, true); }
    case K.Uint64: { const lo = r.varint64(); return int64Value(lo, r.hi, false); }
    case K.I64s: { const lo = r.varint64(); return BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(lo)); }
    case K.U64s: { const lo = r.varint64(); return (BigInt(r.hi) << 32n) | BigInt(lo); }
    default: throw new QaicError('QAIC_INTERNAL', `not a number kind: ${kind}`);
  }
}

function fits(f: Field, wt: number): boolean {
  return wt === f.wireType || (f.packable && wt === WireType.LengthDelimited);
}

function finishParts(kind: K, parts: Parts): TypedNumbers {
  if (parts.length === 1 && typeof parts[0] === 'object') return parts[0];
  let n = 0;
  for (const p of parts) n += typeof p === 'object' ? p.length : 1;
  const out = kind === K.F32s ? new Float32Array(n) : kind === K.F64s ? new Float64Array(n) : kind === K.I32s ? new Int32Array(n)
    : kind === K.I64s ? new BigInt64Array(n) : new BigUint64Array(n);
  let i = 0;
  for (const p of parts) {
    if (typeof p === 'object') {
      (out as Float64Array).set(p as Float64Array, i);
      i += p.length;
    } else (out as unknown as (number | bigint)[])[i++] = p;
  }
  return out;
}

function decodeFields(c: Compiled, r: Reader, depth: number): DecodedMessage {
  if (depth > MAX_NESTING) r.fail(`messages nested deeper than ${MAX_NESTING} (in ${c.name})`);
  const out: DecodedMessage = {};
  let arrays: Map<Field, Parts> | undefined;
  let lastKnown = 0;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 0) r.fail(`field number 0 in ${c.name}`);
    const f = c.byNo[no];
    if (f === undefined || !fits(f, wt)) {
      const value = r.unknown(wt, no, depth);
      (out.$unknown ??= []).push({ no, wireType: wt as WireType, value, after: lastKnown });
      continue;
    }
    lastKnown = no;
    const kind = f.kind;
    if (kind === K.Message) {
      const length = r.length();
      const saved = r.end;
      r.end = r.pos + length;
      const value = decodeFields(f.sub!, r, depth + 1);
      r.end = saved;
      if (f.repeated) ((out[f.name] ??= []) as unknown[]).push(value);
      else out[f.name] = value;
    } else if (kind === K.String || kind === K.Bytes) {
      const length = r.length();
      const value = kind === K.String ? r.string(length) : r.bytes(length);
      if (f.repeated) ((out[f.name] ??= []) as unknown[]).push(value);
      else out[f.name] = value;
    } else if (!f.repeated) {
      out[f.name] = readNumber(r, kind);
    } else {
      // the form is the first run's: a field split into several runs is not what encoders write
      const packed = wt === WireType.LengthDelimited;
      if (isArrayKind(kind)) {
        let parts = (arrays ??= new Map()).get(f);
        if (parts === undefined) {
          arrays.set(f, (parts = []));
          if (packed !== f.packed) (out.$packed ??= {})[f.name] = packed;
        }
        parts.push(packed ? readPackedArray(r, kind, r.length()) : readNumber(r, kind));
      } else {
        let list = out[f.name] as (number | bigint)[] | undefined;
        if (list === undefined) {
          out[f.name] = list = [];
          if (packed !== f.packed) (out.$packed ??= {})[f.name] = packed;
        }
        if (packed) {
          const length = r.length();
          const saved = r.end;
          r.end = r.pos + length;
          while (r.pos < r.end) list.push(readNumber(r, kind));
          r.end = saved;
        } else list.push(readNumber(r, kind));
      }
    }
  }
  if (arrays !== undefined) for (const [f, parts] of arrays) out[f.name] = finishParts(f.kind, parts);
  return out;
}

/**
 * Decode `buf[start, end)` as a message of `schema`. Strings are decoded; `bytes` fields are views into `buf` (not
 * copies). Throws `QAIC_MODEL_INVALID` when the bytes are not a well-formed protobuf message (truncated, a length
 * past the end, an invalid wire type, nesting deeper than {@link MAX_NESTING}).
 */
export function decodeMessage(schema: MessageSchema, buf: Uint8Array, start = 0, end = buf.length): DecodedMessage {
  if (start < 0 || end > buf.length || start > end) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `decodeMessage: range [${start}, ${end}) is outside the ${buf.length} bytes given`);
  }
  return decodeFields(compile(schema), new Reader(buf, start, end), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding: a size pass, then one write pass into one buffer

const textEncoder = new TextEncoder();

function varint32Size(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes of the varint of a 64-bit value given as halves. */
function varint64Size(lo: number, hi: number): number {
  return hi === 0 ? varint32Size(lo) : Math.ceil((64 - Math.clz32(hi)) / 7);
}

/** UTF-8 length of `s` as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // 4 bytes for the pair's 2 code units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** The halves of a 64-bit integer (two's complement), set by {@link split64}. */
let lo64 = 0;
let hi64 = 0;

function split64(value: unknown): void {
  if (typeof value === 'bigint') {
    const u = BigInt.asUintN(64, value);
    lo64 = Number(u & 0xffffffffn);
    hi64 = Number(u >> 32n);
  } else {
    const v = Math.trunc(Number(value)) || 0; // NaN -> 0
    lo64 = v >>> 0;
    hi64 = Math.floor(v / TWO_32) >>> 0;
  }
}

/** Bytes of one number element's payload in its unpacked wire form (no tag). */
function numberSize(kind: K, value: unknown): number {
  switch (kind) {
    case K.Float: case K.F32s: return 4;
    case K.Double: case K.F64s: return 8;
    case K.Bool: return 1;
    case K.Int32: case K.I32s: {
      const v = Number(value) | 0;
      return v < 0 ? 10 : varint32Size(v);
    }
    default:
      split64(value);
      return varint64Size(lo64, hi64);
  }
}

/** The 32-bit halves of 64-bit typed arrays, read without a bigint per element (little-endian hosts). */
function halvesOf(values: ArrayLike<unknown>): Uint32Array | undefined {
  if (!LITTLE_ENDIAN || !(values instanceof BigInt64Array || values instanceof BigUint64Array)) return undefined;
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Payload bytes of a packed run of `values`. */
function packedSize(kind: K, values: ArrayLike<unknown>): number {
  const n = values.length;
  switch (kind) {
    case K.Float: case K.F32s: return 4 * n;
    case K.Double: case K.F64s: return 8 * n;
    case K.Bool: return n;
    default: break;
  }
  let size = 0;
  const halves = kind === K.I64s || kind === K.U64s || kind === K.Int64 || kind === K.Uint64 ? halvesOf(values) : undefined;
  if (halves !== undefined) {
    for (let i = 0; i < n; i++) size += varint64Size(halves[2 * i]!, halves[2 * i + 1]!);
    return size;
  }
  for (let i = 0; i < n; i++) size += numberSize(kind, values[i]);
  return size;
}

function unknownSize(f: UnknownField, path: string): number {
  const fixed = f.wireType === WireType.Fixed32 ? 4 : f.wireType === WireType.Fixed64 ? 8 : undefined;
  const valid = Number.isInteger(f.no) && f.no >= 1 && f.no <= 0x1fffffff && (f.wireType === WireType.Varint
    ? typeof f.value === 'bigint'
    : f.value instanceof Uint8Array && (fixed === undefined ? f.wireType === WireType.LengthDelimited || f.wireType === WireType.StartGroup : f.value.length === fixed));
  if (!valid) {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot encode ${path}.$unknown: field ${String(f.no)} with wire type ${String(f.wireType)} and ${describe(f.value)} is not a valid unknown field (a bigint for Varint, 4 or 8 bytes for Fixed32/Fixed64, bytes for LengthDelimited and StartGroup)`);
  }
  const tagSize = varint32Size(tagOf(f.no, 0));
  switch (f.wireType) {
    case WireType.Varint:
      split64(f.value as bigint);
      return tagSize + varint64Size(lo64, hi64);
    case WireType.LengthDelimited: {
      const n = (f.value as Uint8Array).length;
      return tagSize + varint32Size(n) + n;
    }
    case WireType.StartGroup: return 2 * tagSize + (f.value as Uint8Array).length;
    default: return tagSize + (f.value as Uint8Array).length;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 40)}`;
}

/** One encode call: the lengths the size pass found, then the buffer the write pass fills. */
class Encoder {
  /** lengths of sub-messages, strings and varint-packed runs, in visiting order (the write pass reads them back) */
  private readonly sizes: number[] = [];
  private cursor = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  encode(c: Compiled, message: DecodedMessage): Uint8Array {
    const total = this.messageSize(c, message, 0, c.name);
    if (total > MAX_MESSAGE_BYTES) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot encode ${c.name}: ${total} bytes is more than protobuf's 2 GiB limit (keep large weights in external data files)`);
    }
    this.buf = new Uint8Array(total);
    this.view = new DataView(this.buf.buffer);
    this.writeMessage(c, message);
    if (this.pos !== total || this.cursor !== this.sizes.length) {
      throw new QaicError('QAIC_INTERNAL', `protobuf encoder wrote ${this.pos} bytes of ${total} (${c.name}): the message changed while it was encoded`);
    }
    return this.buf;
  }

  private invalid(path: string, expected: string, value: unknown): never {
    throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot encode ${path}: expected ${expected}, got ${describe(value)}`);
  }

  // ---- size pass

  private messageSize(c: Compiled, m: DecodedMessage, depth: number, path: string): number {
    if (typeof m !== 'object' || m === null || Array.isArray(m) || ArrayBuffer.isView(m)) this.invalid(path, `a ${c.name} message object`, m);
    if (depth > MAX_NESTING) {
      throw new QaicError('QAIC_INVALID_ARGUMENT', `cannot encode ${path}: messages nested deeper than ${MAX_NESTING} (a message that contains itself?)`);
    }
    const unknowns = m.$unknown;
    const nUnknown = unknowns === undefined ? 0 : unknowns.length;
    let u = 0;
    let size = 0;
    for (const f of c.ordered) {
      while (u < nUnknown && unknowns![u]!.after !== undefined && unknowns![u]!.after! < f.no) size += unknownSize(unknowns![u++]!, path);
      const value = m[f.name];
      if (value === undefined || value === null) continue;
      size += this.fieldSize(f, value, m, depth, path);
    }
    for (; u < nUnknown; u++) size += unknownSize(unknowns![u]!, path);
    return size;
  }

  private fieldSize(f: Field, value: unknown, m: DecodedMessage, depth: number, path: string): number {
    const tagSize = f.tagSize;
    const kind = f.kind;
    if (kind === K.Message || kind === K.String || kind === K.Bytes) {
      if (!f.repeated) return tagSize + this.lengthDelimitedSize(f, value, depth, `${path}.${f.name}`);
      if (!Array.isArray(value)) this.invalid(`${path}.${f.name}`, 'an array', value);
      let size = 0;
      for (let i = 0; i < value.length; i++) size += tagSize + this.lengthDelimitedSize(f, value[i], depth, `${path}.${f.name}[${i}]`);
      return size;
    }
    if (!f.repeated) {
      if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') this.invalid(`${path}.${f.name}`, 'a number', value);
      return tagSize + numberSize(kind, value);
    }
    if (typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number') {
      this.invalid(`${path}.${f.name}`, 'an array or typed array', value);
    }
    const values = value as ArrayLike<unknown>;
    if (values.length === 0) return 0;
    if (m.$packed?.[f.name] ?? f.packed) {
      const payload = packedSize(kind, values);
      if (f.wireType === WireType.Varint) this.sizes.push(payload);
      return tagSize + varint32Size(payload) + payload;
    }
    return values.length * tagSize + packedSize(kind, values);
  }

  private lengthDelimitedSize(f: Field, value: unknown, depth: number, path: string): number {
    let length: number;
    if (f.kind === K.Message) {
      const slot = this.sizes.length;
      this.sizes.push(0);
      length = this.messageSize(f.sub!, value as DecodedMessage, depth + 1, path);
      this.sizes[slot] = length;
    } else if (typeof value === 'string') {
      // a string where bytes are expected is written as its UTF-8 bytes, as before
      length = utf8Length(value);
      this.sizes.push(length);
    } else {
      if (f.kind === K.String) this.invalid(path, 'a string', value);
      if (!(value instanceof Uint8Array)) this.invalid(path, 'a Uint8Array (or a string, written as UTF-8)', value);
      length = value.length;
    }
    return varint32Size(length) + length;
  }

  // ---- write pass

  private varint32(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  private varint64(lo: number, hi: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  private bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private writeMessage(c: Compiled, m: DecodedMessage): void {
    const unknowns = m.$unknown;
    const nUnknown = unknowns === undefined ? 0 : unknowns.length;
    let u = 0;
    for (const f of c.ordered) {
      while (u < nUnknown && unknowns![u]!.after !== undefined && unknowns![u]!.after! < f.no) this.writeUnknown(unknowns![u++]!);
      const value = m[f.name];
      if (value === undefined || value === null) continue;
      this.writeField(f, value, m);
    }
    for (; u < nUnknown; u++) this.writeUnknown(unknowns![u]!);
  }

  private writeField(f: Field, value: unknown, m: DecodedMessage): void {
    const kind = f.kind;
    if (kind === K.Message || kind === K.String || kind === K.Bytes) {
      const tag = f.tag;
      if (!f.repeated) {
        this.varint32(tag);
        this.writeLengthDelimited(f, value);
        return;
      }
      const items = value as unknown[];
      for (let i = 0; i < items.length; i++) {
        this.varint32(tag);
        this.writeLengthDelimited(f, items[i]);
      }
      return;
    }
    if (!f.repeated) {
      this.varint32(f.tag);
      this.writeNumber(kind, value);
      return;
    }
    const values = value as ArrayLike<unknown>;
    const n = values.length;
    if (n === 0) return;
    if (m.$packed?.[f.name] ?? f.packed) {
      this.varint32(f.packedTag);
      const payload = f.wireType === WireType.Varint ? this.sizes[this.cursor++]! : n * (f.wireType === WireType.Fixed32 ? 4 : 8);
      this.varint32(payload);
      this.writePacked(kind, values);
      return;
    }
    const tag = f.tag;
    for (let i = 0; i < n; i++) {
      this.varint32(tag);
      this.writeNumber(kind, values[i]);
    }
  }

  private writeLengthDelimited(f: Field, value: unknown): void {
    if (f.kind === K.Message) {
      this.varint32(this.sizes[this.cursor++]!);
      this.writeMessage(f.sub!, value as DecodedMessage);
    } else if (typeof value === 'string') {
      const length = this.sizes[this.cursor++]!;
      this.varint32(length);
      this.writeString(value, length);
    } else {
      const b = value as Uint8Array;
      this.varint32(b.length);
      this.bytes(b);
    }
  }

  private writeString(s: string, length: number): void {
    if (length === s.length) {
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos + i] = s.charCodeAt(i);
    } else {
      const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + length));
      if (written !== length) throw new QaicError('QAIC_INTERNAL', `UTF-8 length of a string: computed ${length}, wrote ${written}`);
    }
    this.pos += length;
  }

  private writeNumber(kind: K, value: unknown): void {
    switch (kind) {
      case K.Float: case K.F32s:
        this.view.setFloat32(this.pos, Number(value), true);
        this.pos += 4;
        return;
      case K.Double: case K.F64s:
        this.view.setFloat64(this.pos, Number(value), true);
        this.pos += 8;
        return;
      case K.Bool:
        this.buf[this.pos++] = value === true || (value !== false && Number(value) !== 0) ? 1 : 0;
        return;
      case K.Int32: case K.I32s: {
        const v = Number(value) | 0;
        if (v >= 0) this.varint32(v);
        else this.varint64(v >>> 0, 0xffffffff);
        return;
      }
      default:
        split64(value);
        this.varint64(lo64, hi64);
    }
  }

  private writePacked(kind: K, values: ArrayLike<unknown>): void {
    const n = values.length;
    if (LITTLE_ENDIAN && ((kind === K.F32s && values instanceof Float32Array) || (kind === K.F64s && values instanceof Float64Array))) {
      this.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      return;
    }
    const halves = kind === K.I64s || kind === K.U64s || kind === K.Int64 || kind === K.Uint64 ? halvesOf(values) : undefined;
    if (halves !== undefined) {
      for (let i = 0; i < n; i++) this.varint64(halves[2 * i]!, halves[2 * i + 1]!);
      return;
    }
    for (let i = 0; i < n; i++) this.writeNumber(kind, values[i]);
  }

  private writeUnknown(f: UnknownField): void {
    this.varint32(tagOf(f.no, f.wireType));
    switch (f.wireType) {
      case WireType.Varint:
        split64(f.value as bigint);
        this.varint64(lo64, hi64);
        return;
      case WireType.LengthDelimited:
        this.varint32((f.value as Uint8Array).length);
        this.bytes(f.value as Uint8Array);
        return;
      case WireType.StartGroup:
        this.bytes(f.value as Uint8Array);
        this.varint32(tagOf(f.no, WireType.EndGroup));
        return;
      default:
        this.bytes(f.value as Uint8Array);
    }
  }
}

/**
 * Encode a decoded (or hand-built) message of `schema` into one buffer of exactly its size: known fields in
 * field-number order, repeated numbers packed as `$packed` or the schema says, unknown fields at the place recorded
 * in their `after` (at the end when absent). Throws `QAIC_INVALID_ARGUMENT`, naming the field's path, when a value
 * has the wrong type or messages nest deeper than {@link MAX_NESTING}.
 */
export function encodeMessage(schema: MessageSchema, message: DecodedMessage): Uint8Array {
  return new Encoder().encode(compile(schema), message);
}
