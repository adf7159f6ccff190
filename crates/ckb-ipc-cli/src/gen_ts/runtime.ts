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
    const id = wireCode(req.methodId());
    // A batch's items go through here too, so a batch may ask for the description.
    if (id === BATCH_METHOD) return serveBatch(this, req);
    if (id !== DESCRIBE_METHOD) return this.handler.serve(req);
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

// ---- Batches (docs/wire-format.md, "Batches") ----

/** The reserved method id of a batch: one request whose payload is complete request packets
 * end to end, answered by one response (code 0) whose payload is their responses, in order. */
export const BATCH_METHOD = 0x7ffffffe;

/** The most payload a batch's item may announce (the lean transport's `MAX_PAYLOAD`): a server
 * refuses a batch with a larger one (code 28), as it refuses such a request alone. */
export const MAX_ITEM_PAYLOAD = 1 << 20;

/** The server answered the batch's packet itself with `code` (a server that does not know
 * batches answers its unknown-method code: 256 for a typed one); none of its calls was served,
 * and the channel is still usable. */
export class BatchRefused extends Error {
  constructor(readonly code: number, readonly payload: Uint8Array) {
    super(`batch refused: error code ${code}`);
  }
}

/** One call of a batch, made by a method of `<Service>Batch`: its request, and how its answer
 * is read (`E`: the method's error type, `never` for a method without one). */
export class BatchCall<T, E = never> {
  constructor(
    readonly method: string,
    readonly request: RequestPacket,
    readonly decode: (b: Uint8Array) => T,
    readonly decodeError: ((b: Uint8Array) => E) | null,
  ) {}
}

/** A call's result in a batch: its value, or the error the call alone would have thrown
 * (`ServiceError` only for a method with an error type). */
export type Settled<T, E = never> =
  | { ok: true; value: T }
  | { ok: false; error: ([E] extends [never] ? never : ServiceError<E>) | CallError | DecodeError };

/** The results of the calls `R`, one `Settled` each, in their order (a tuple for a tuple). */
export type BatchResults<R extends readonly BatchCall<unknown, unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends BatchCall<infer T, infer E> ? Settled<T, E> : never;
};

/** Sends `calls` in one batch over `channel` and reads their results. Throws `BatchRefused`
 * when the server refuses the batch whole, `DecodeError` when the answer is not exactly one
 * complete response per call; a call's own error is its result, and stops none of the others. */
export function callBatch<R extends readonly BatchCall<unknown, unknown>[] | []>(channel: CallChannel, calls: R): BatchResults<R> {
  const list: readonly BatchCall<unknown, unknown>[] = calls;
  // A batch of one is sent as the call itself: what the call costs, and answered by any server.
  if (list.length === 1) {
    const one = channel.call(list[0].request);
    return [settle(list[0], { code: wireCode(one.errorCode()), payload: one.payload() })] as BatchResults<R>;
  }
  const resp = channel.call(new RequestPacket(cat(list.map((c) => c.request.serialize())), BATCH_METHOD));
  const code = wireCode(resp.errorCode());
  if (code !== 0) throw new BatchRefused(code, resp.payload());
  const items = packets(resp.payload(), Infinity, false);
  if (typeof items === "number") throw new DecodeError("batch answer", `framing error ${items}`);
  if (items.length !== list.length)
    throw new DecodeError("batch answer", `${items.length} responses to ${list.length} calls`);
  return list.map((c, i) => settle(c, items[i])) as BatchResults<R>;
}

function settle<T>(c: BatchCall<T, unknown>, item: Item): Settled<T, unknown> {
  try {
    // Code 0 straight to the decoder (no packet made for it); the others as a call's answer.
    if (item.code === 0) return { ok: true, value: c.decode(item.payload) };
    return { ok: true, value: c.decode(answer(c.method, new ResponsePacket(item.code, item.payload), c.decodeError)) };
  } catch (e) {
    if (e instanceof ServiceError || e instanceof CallError || e instanceof DecodeError) return { ok: false, error: e };
    throw e;
  }
}

/** Answers the batch `req` with `handler`, each item served as the same request alone would
 * be, in order. The payload is checked whole first: a framing error (22 cut short, 24 a VLQ
 * past 2^53 - 1, 28 another version or an item over `MAX_ITEM_PAYLOAD`) or an item that is
 * itself a batch (27) refuses it, answered with that code and nothing served. */
export function serveBatch(handler: RequestHandler, req: RequestPacket): ResponsePacket {
  const items = packets(req.payload(), MAX_ITEM_PAYLOAD, true);
  if (typeof items === "number") return new ResponsePacket(items, EMPTY);
  return ok(cat(items.map((it) => handler.serve(new RequestPacket(it.payload, it.code)).serialize())));
}

/** A packet of a batch or of its answer: its method id or error code, and its payload. */
type Item = { code: number; payload: Uint8Array };

/** The packets laid end to end in `b`, every length checked against the bytes present (nothing
 * allocated for one); or the wire code of the first bad one: 22 cut short, 24 a VLQ past
 * 2^53 - 1, 28 a version other than the single byte 0 or a payload over `max`, 27 a batch in a
 * batch (when `refuseBatches`). */
function packets(b: Uint8Array, max: number, refuseBatches: boolean): Item[] | number {
  const out: Item[] = [];
  let at = 0;
  while (at < b.length) {
    let code: number, length: number, end: number;
    if (b[at] === 0 && b[at + 1] < 128 && b[at + 2] < 128) {
      // The common header (a response's): version 0, a code and a length of a byte each. In
      // ckb-js-vm every operation counts: this saves three calls an item.
      code = b[at + 1];
      length = b[at + 2];
      end = at + 3;
    } else {
      end = vlqAt(b, at);
      if (end < 0) return -end;
      if (end !== at + 1 || b[at] !== 0) return 28;
      end = vlqAt(b, (at = end));
      if (end < 0) return -end;
      code = vlqValue;
      end = vlqAt(b, (at = end));
      if (end < 0) return -end;
      length = vlqValue;
    }
    if (length > max) return 28;
    if (length > b.length - end) return 22;
    if (refuseBatches && code === BATCH_METHOD) return DESERIALIZE_ERROR;
    out.push({ code, payload: b.subarray(end, end + length) });
    at = end + length;
  }
  return out;
}

/** The value of the last VLQ `vlqAt` read. */
let vlqValue = 0;

/** Reads the VLQ at `at` of `b` into `vlqValue`: the offset after it, or -22 when `b` ends
 * inside it, -24 when it passes 2^53 - 1 or 10 bytes (a u64's most). */
function vlqAt(b: Uint8Array, at: number): number {
  const first = b[at];
  if (first < 128) {
    vlqValue = first;
    return at + 1;
  }
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) return -22;
    const x = b[at + i];
    value += (x & 127) * scale;
    if (value > Number.MAX_SAFE_INTEGER) return -24;
    if (x < 128) {
      vlqValue = value;
      return at + i + 1;
    }
    scale *= 128;
  }
  return -24;
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
