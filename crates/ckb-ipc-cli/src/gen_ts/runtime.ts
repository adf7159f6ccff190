// ---- Errors and wire codes (docs/wire-format.md) ----

/** No method has the request's id (a `#[ckb_ipc::service]` server's answer). */
export const UNKNOWN_METHOD = 256;
/** The method returned `Err(e)`: the payload is `e`. */
export const SERVICE_ERROR = 257;
/** The request's payload could not be decoded. */
export const DESERIALIZE_ERROR = 27;

/** Bytes from a peer that are not a value of `type`. The only error a decoder throws. */
export class DecodeError extends Error {
  constructor(readonly type: string, readonly reason: string) {
    super(`${type}: ${reason}`);
  }
}

/** A call answered with an error code other than the service's own error (a transport or
 * protocol error, an unknown method, ...): `code` as the server sent it, and the payload. */
export class CallError extends Error {
  constructor(readonly method: string, readonly code: number, readonly payload: Uint8Array) {
    super(`${method}: error code ${code}`);
  }
}

/** The service's error: a method answered `Err(error)` (code 257). A server implementation
 * throws it to answer `Err(error)`; a client's call throws it when the server did. */
export class ServiceError<E> extends Error {
  readonly code = SERVICE_ERROR;
  constructor(readonly method: string, readonly error: E) {
    super(`${method}: service error`);
  }
}

/** The reserved method id of discovery: the answer is the service's description document. */
export const DESCRIBE_METHOD = 0x7fffffff;

/** `handler`, also answering `DESCRIBE_METHOD` with `document` (a service's description, as
 * `<Service>Description`), as the Rust `ckb_ipc::service::Discoverable` does: opt-in, since
 * the document's text is bytes that ckb-js-vm parses at every start. */
export class Discoverable implements RequestHandler {
  private bytes: Uint8Array | null = null;
  constructor(readonly document: string, readonly handler: RequestHandler) {}

  serve(req: RequestPacket): ResponsePacket {
    if (wireCode(req.methodId()) !== DESCRIBE_METHOD) return this.handler.serve(req);
    if (this.bytes === null) this.bytes = utf8(this.document, "description");
    return ok(this.bytes);
  }
}

/** What a client calls through: `@ckb-js-std/ipc`'s `Channel`, or any object with its `call`. */
export interface CallChannel {
  call(req: RequestPacket): ResponsePacket;
}

/** An error code as the server sent it: the published package's 32-bit VLQ reads codes of
 * 2^31 ..= 2^32 - 1 as negative numbers. */
export function wireCode(code: number): number {
  return code < 0 ? code + 4294967296 : code;
}

/** The answer's payload for code 0; the service's error (when the method has one) or the
 * code thrown. */
function answer<E>(method: string, resp: ResponsePacket, decodeError: ((b: Uint8Array) => E) | null): Uint8Array {
  const code = wireCode(resp.errorCode());
  if (code === 0) return resp.payload();
  if (code === SERVICE_ERROR && decodeError !== null) throw new ServiceError(method, decodeError(resp.payload()));
  throw new CallError(method, code, resp.payload());
}

function ok(payload: Uint8Array): ResponsePacket {
  return new ResponsePacket(0, payload);
}

/** A server's answer to a request whose payload did not decode; other exceptions go on. */
function badRequest(e: unknown): ResponsePacket {
  if (e instanceof DecodeError) return new ResponsePacket(DESERIALIZE_ERROR, EMPTY);
  throw e;
}

/** A server's answer when the implementation threw `ServiceError`; other exceptions go on. */
function serviceError<E>(e: unknown, encode: (v: E) => Uint8Array): ResponsePacket {
  if (e instanceof ServiceError) return new ResponsePacket(SERVICE_ERROR, encode(e.error as E));
  throw e;
}

// ---- Molecule ----

const EMPTY = new Uint8Array(0);

function u32(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

function readU32(b: Uint8Array, at: number, type: string): number {
  if (at + 4 > b.length) throw new DecodeError(type, "too short");
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function cat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Exactly `size` bytes, or a DecodeError. */
function exact(b: Uint8Array, size: number, type: string): Uint8Array {
  if (b.length !== size) throw new DecodeError(type, `${b.length} bytes, not ${size}`);
  return b;
}

/** A value of an `array` of `length` items, checked before encoding. */
function lengthOf<T extends { length: number }>(v: T, length: number, type: string): T {
  if (v.length !== length) throw new RangeError(`${type}: ${v.length} items, not ${length}`);
  return v;
}

/** A `fixvec`: the count, then the items' bytes. */
function fixvec(count: number, items: Uint8Array[]): Uint8Array {
  let size = 4;
  for (const p of items) size += p.length;
  const out = new Uint8Array(size);
  setU32(out, 0, count);
  let at = 4;
  for (const p of items) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A `fixvec` of bytes. */
function fixvecBytes(v: Uint8Array, type: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new RangeError(`${type}: not a Uint8Array`);
  const out = new Uint8Array(4 + v.length);
  setU32(out, 0, v.length);
  out.set(v, 4);
  return out;
}

function setU32(o: Uint8Array, at: number, n: number): void {
  o[at] = n;
  o[at + 1] = n >>> 8;
  o[at + 2] = n >>> 16;
  o[at + 3] = n >>> 24;
}

/** A `fixvec`'s items' bytes, its count checked against them. */
function fixvecBody(b: Uint8Array, size: number, type: string): Uint8Array {
  const count = readU32(b, 0, type);
  if (count * size !== b.length - 4) throw new DecodeError(type, "a count that does not match the bytes");
  return b.subarray(4);
}

/** A `table` or `dynvec`: the total size, one offset per part, then the parts. */
function table(parts: Uint8Array[]): Uint8Array {
  let size = 4 + 4 * parts.length;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  setU32(out, 0, size);
  let at = 4 + 4 * parts.length;
  for (let i = 0; i < parts.length; i++) {
    setU32(out, 4 + 4 * i, at);
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/** A `table`'s (`count` fields) or `dynvec`'s (`count` null) parts, every offset checked. */
function parts(b: Uint8Array, count: number | null, type: string): Uint8Array[] {
  const total = readU32(b, 0, type);
  if (total !== b.length) throw new DecodeError(type, `a total size of ${total} in ${b.length} bytes`);
  if (total === 4) {
    if (count !== null && count !== 0) throw new DecodeError(type, `no fields, not ${count}`);
    return [];
  }
  const first = readU32(b, 4, type);
  if (first % 4 !== 0 || first < 8 || first > total) throw new DecodeError(type, "a bad header");
  const n = first / 4 - 1;
  if (count !== null && n !== count) throw new DecodeError(type, `${n} fields, not ${count}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const start = readU32(b, 4 + 4 * i, type);
    const end = i + 1 === n ? total : readU32(b, 8 + 4 * i, type);
    if (start > end || end > total) throw new DecodeError(type, "offsets out of order");
    out.push(b.subarray(start, end));
  }
  return out;
}

/** `b` cut into `size`-byte items. */
function chunks(b: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < b.length; at += size) out.push(b.subarray(at, at + size));
  return out;
}

function unitTo(v: null): Uint8Array {
  if (v !== null) throw new RangeError(`(): ${String(v)}, not null`);
  return EMPTY;
}

function unitFrom(b: Uint8Array): null {
  exact(b, 0, "()");
  return null;
}

function byteTo(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`byte: ${v} is not 0..=255`);
  return new Uint8Array([v]);
}

function byteFrom(b: Uint8Array): number {
  return exact(b, 1, "byte")[0];
}

/** The little-endian bytes of an integer of `size` bytes (a number up to 4 bytes, a bigint
 * above), refusing one out of its range. */
function intTo(v: number | bigint, size: number, signed: boolean, type: string): Uint8Array {
  const bits = BigInt(8 * size);
  const n = BigInt(v);
  const low = signed ? -(1n << (bits - 1n)) : 0n;
  const high = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if ((typeof v === "number" && !Number.isInteger(v)) || n < low || n > high)
    throw new RangeError(`${type}: ${v} is out of range`);
  let u = BigInt.asUintN(8 * size, n);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** `v` if it is an integer number in `low ..= high`, else a RangeError. */
function small(v: number, low: number, high: number, type: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high)
    throw new RangeError(`${type}: ${v} is out of range`);
  return v;
}

/** `v` if it is a bigint in `low ..= high`, else a RangeError. */
function big(v: bigint, low: bigint, high: bigint, type: string): bigint {
  if (typeof v !== "bigint" || v < low || v > high) throw new RangeError(`${type}: ${String(v)} is out of range`);
  return v;
}

function put128(d: DataView, at: number, v: bigint): void {
  d.setBigUint64(at, BigInt.asUintN(64, v), true);
  d.setBigUint64(at + 8, BigInt.asUintN(64, v >> 64n), true);
}

function get128(d: DataView, at: number, signed: boolean): bigint {
  const u = (d.getBigUint64(at + 8, true) << 64n) | d.getBigUint64(at, true);
  return signed ? BigInt.asIntN(128, u) : u;
}

/** A DataView over exactly `b`'s bytes. */
function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

/** The DataView of types that need none. */
const NO_VIEW = new DataView(new ArrayBuffer(0));

function bigFrom(b: Uint8Array, size: number, signed: boolean, type: string): bigint {
  exact(b, size, type);
  let u = 0n;
  for (let i = size - 1; i >= 0; i--) u = (u << 8n) | BigInt(b[i]);
  return signed ? BigInt.asIntN(8 * size, u) : u;
}

function smallFrom(b: Uint8Array, size: number, signed: boolean, type: string): number {
  exact(b, size, type);
  let u = 0;
  for (let i = size - 1; i >= 0; i--) u = u * 256 + b[i];
  const top = 2 ** (8 * size);
  return signed && u >= top / 2 ? u - top : u;
}

function boolTo(v: boolean, type: string): Uint8Array {
  if (typeof v !== "boolean") throw new RangeError(`${type}: ${String(v)} is not a boolean`);
  return new Uint8Array([v ? 1 : 0]);
}

function boolFrom(b: Uint8Array, type: string): boolean {
  const [x] = exact(b, 1, type);
  if (x > 1) throw new DecodeError(type, "not 0 or 1");
  return x === 1;
}

/** UTF-8 of a string (lone surrogates refused). */
function utf8(s: string, type: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) throw new RangeError(`${type}: a lone surrogate`);
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** A string from UTF-8, refusing what Rust's `str::from_utf8` refuses. */
function fromUtf8(b: Uint8Array, type: string): string {
  let s = "";
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    const [n, min] = x < 0x80 ? [0, 0] : x >= 0xc2 && x < 0xe0 ? [1, 0x80] : x >= 0xe0 && x < 0xf0 ? [2, 0x800] : x >= 0xf0 && x < 0xf5 ? [3, 0x10000] : [-1, 0];
    if (n < 0) throw new DecodeError(type, "not UTF-8");
    let c = n === 0 ? x : x & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const y = b[i + k];
      if (y === undefined || (y & 0xc0) !== 0x80) throw new DecodeError(type, "not UTF-8");
      c = (c << 6) | (y & 63);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new DecodeError(type, "not UTF-8");
    s += String.fromCodePoint(c);
    i += n + 1;
  }
  return s;
}
