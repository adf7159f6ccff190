// A lean IPC module for ckb-js-vm scripts with exactly the API of ckb-js-vm's own package
// `@ckb-js-std/ipc` (RequestPacket, ResponsePacket, Read, Write, Pipe, Channel, RequestHandler,
// spawnCellServer, spawnServer, runServer; packets with accessor methods), over the syscalls
// built into ckb-js-vm as "@ckb-js-std/bindings". Code written against one runs on the other:
// bundles map the name "@ckb-js-std/ipc" to this file (esbuild --alias).
// The wire format is docs/wire-format.md. Unlike the published package it reads a packet through
// a buffer (a header costs one `read` syscall, not one per VLQ byte), decodes VLQs exactly up to
// 2^53 - 1 (and refuses larger ones), and treats both forms of end of stream between packets as
// the client hanging up: `execute` and `runServer` return, so a server script can exit 0.
import * as bindings from "@ckb-js-std/bindings";

const OTHER_END_CLOSED = 7;
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1

/** An error of this module; `code` is the wire's error code for it (docs/wire-format.md). */
export class IpcError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

// ---- VLQ (unsigned LEB128), with arithmetic instead of 32-bit bit operations ----

/** The VLQ bytes of `value`, an integer 0 ..= 2^53 - 1. */
export function encode(value: number): Uint8Array {
  const out = new Uint8Array(vlqSize(value));
  vlqInto(out, 0, value);
  return out;
}

/** Decodes the VLQ at `offset`; throws when `buffer` ends inside it or it passes 2^53 - 1. */
export function decode(buffer: ArrayBuffer | Uint8Array, offset = 0): { value: number; bytesRead: number } {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const header = new Header();
  const end = header.vlq(bytes, offset);
  if (end < 0) throw new IpcError("Incomplete VLQ value", 23);
  return { value: header.value, bytesRead: end - offset };
}

/** The number of bytes `value`'s VLQ takes. */
export function encodedSize(value: number): number {
  return vlqSize(value);
}

// Cycles matter in ckb-js-vm (every JavaScript operation costs a thousand or more): the VLQ
// code below writes into the packet's own buffer, allocates nothing, and takes 32-bit bit
// operations where the value allows them, arithmetic above.

function vlqSize(value: number): number {
  if (value === (value & 127)) return 1; // 0 ..= 127, an integer
  if (!Number.isSafeInteger(value) || value < 0) throw new IpcError(`bad VLQ value ${value}`, 24);
  if (value < 16384) return 2;
  if (value < 2097152) return 3;
  if (value < 268435456) return 4;
  let size = 4;
  for (let rest = value / 268435456; rest >= 1; rest /= 128) size++;
  return size;
}

/** Writes `value`'s VLQ (checked by vlqSize) at `at`; the offset after it. */
function vlqInto(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80000000) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  while (value >= 128) {
    out[at++] = (value & 127) | 0x80;
    value >>>= 7;
  }
  out[at] = value;
  return at + 1;
}

// ---- Packets ----

export interface Packet {
  version(): number;
  payload(): Uint8Array;
  serialize(): Uint8Array;
}

export class RequestPacket implements Packet {
  private readonly version_: number;
  private readonly methodId_: number;
  private readonly payload_: Uint8Array;

  constructor(payload: Uint8Array, methodId = 0, version = 0) {
    this.payload_ = payload;
    this.methodId_ = methodId;
    this.version_ = version;
  }

  /** Reads one request; throws at end of stream (as the published package does). */
  static readFrom(reader: Read): RequestPacket {
    const [version, methodId, payload] = readPacket(reader, MAX_PAYLOAD);
    return new RequestPacket(payload, methodId, version);
  }

  version(): number {
    return this.version_;
  }
  methodId(): number {
    return this.methodId_;
  }
  payload(): Uint8Array {
    return this.payload_;
  }
  serialize(): Uint8Array {
    return frame(this.version_, this.methodId_, this.payload_);
  }
  toString(): string {
    return `RequestPacket, method_id: ${this.methodId_}, ${this.payload_.length} bytes payload`;
  }
}

export class ResponsePacket implements Packet {
  private readonly version_: number;
  private readonly errorCode_: number;
  private readonly payload_: Uint8Array;

  constructor(errorCode: number, payload: Uint8Array, version = 0) {
    this.errorCode_ = errorCode;
    this.payload_ = payload;
    this.version_ = version;
  }

  /** Reads one response; throws at end of stream. */
  static readFrom(reader: Read): ResponsePacket {
    const [version, errorCode, payload] = readPacket(reader, MAX_PAYLOAD);
    return new ResponsePacket(errorCode, payload, version);
  }

  version(): number {
    return this.version_;
  }
  errorCode(): number {
    return this.errorCode_;
  }
  payload(): Uint8Array {
    return this.payload_;
  }
  serialize(): Uint8Array {
    return frame(this.version_, this.errorCode_, this.payload_);
  }
  toString(): string {
    return `ResponsePacket, error_code: ${this.errorCode_}, ${this.payload_.length} bytes payload`;
  }
}

/** The last code framed and its VLQ: a client calls the same methods over and over. */
let lastCode = 0;
let lastCodeVlq = new Uint8Array(1);

function frame(version: number, code: number, payload: Uint8Array): Uint8Array {
  if (code !== lastCode) {
    const vlq = new Uint8Array(vlqSize(code));
    vlqInto(vlq, 0, code);
    lastCode = code;
    lastCodeVlq = vlq;
  }
  const codeVlq = lastCodeVlq;
  const length = payload.length;
  const out = new Uint8Array(vlqSize(version) + codeVlq.length + vlqSize(length) + length);
  let at = vlqInto(out, 0, version);
  out.set(codeVlq, at);
  at = vlqInto(out, at + codeVlq.length, length);
  if (length !== 0) out.set(payload, at);
  return out;
}

// ---- IO ----

/** As the published package's `Read`: `read` returns some bytes (an empty array at end of stream). */
export interface Read {
  read(length: number): Uint8Array;
  readExact(length: number): Uint8Array;
}

export interface Write {
  write(buffer: Uint8Array): number;
  flush(): void;
}

export class Pipe implements Read, Write {
  private readonly id: number;

  constructor(id: number) {
    this.id = id;
  }

  static from(id: number): Pipe {
    return new Pipe(id);
  }

  fd(): number {
    return this.id;
  }
  readable(): boolean {
    return this.id % 2 === 0;
  }
  writable(): boolean {
    return this.id % 2 === 1;
  }

  /** Some bytes, or an empty array at end of stream (either form the syscall reports). */
  read(length: number): Uint8Array {
    try {
      return new Uint8Array(bindings.read(this.id, length));
    } catch (e: any) {
      if (e && e.errorCode === OTHER_END_CLOSED) return new Uint8Array(0);
      throw e;
    }
  }

  readExact(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      const chunk = this.read(length - at);
      if (chunk.length === 0) throw new IpcError("Unexpected end of stream", 22);
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** All of `buffer` in one syscall: the syscall takes an ArrayBuffer, so a partial view is copied. */
  write(buffer: Uint8Array): number {
    if (buffer.length === 0) return 0; // a zero-length write would read as end of stream
    const exact =
      buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength ? buffer : buffer.slice();
    bindings.write(this.id, exact.buffer as ArrayBuffer);
    return buffer.length;
  }

  flush(): void {}

  close(): void {
    bindings.close(this.id);
  }
}

// ---- Channel ----

const READ_CHUNK = 4096;
export const MAX_PAYLOAD = 1 << 20;
const EMPTY = new Uint8Array(0);

export interface RequestHandler {
  serve(req: RequestPacket): ResponsePacket;
}

export class Channel {
  private readonly reader: Buffered;
  private readonly writer: Write;

  constructor(reader: Read, writer: Write, maxPayload = MAX_PAYLOAD) {
    this.reader = new Buffered(reader, maxPayload);
    this.writer = writer;
  }

  /** Sends `req` and reads the response; a response with an error code is returned, not thrown. */
  call(req: RequestPacket): ResponsePacket {
    this.writer.write(req.serialize());
    this.writer.flush();
    const r = this.reader;
    const payload = r.packet();
    if (payload === null) throw new IpcError("server closed the channel", 22);
    return new ResponsePacket(r.head.code, payload, r.head.version);
  }

  /** Serves requests; returns when the client closes the channel between packets. */
  execute(handler: RequestHandler): void {
    const r = this.reader;
    for (;;) {
      let payload: Uint8Array | null;
      try {
        payload = r.packet();
      } catch (e: any) {
        this.sendErrorCode(e instanceof IpcError ? e.code : 28);
        throw e;
      }
      if (payload === null) return;
      const resp = handler.serve(new RequestPacket(payload, r.head.code, r.head.version));
      this.writer.write(resp.serialize());
      this.writer.flush();
    }
  }

  sendErrorCode(errorCode: number): void {
    try {
      this.writer.write(new ResponsePacket(errorCode, EMPTY).serialize());
    } catch (_) {
      // the peer is gone: nothing to tell
    }
  }
}

/** A header being read: its three VLQs, and where the payload starts. */
class Header {
  value = 0;
  version = 0;
  code = 0;
  length = 0;

  /** Reads the VLQ at `at` into `value`: the offset after it, or -1 if `b` ends inside it. */
  vlq(b: Uint8Array, at: number): number {
    const n = b.length;
    if (at < n && b[at] < 128) {
      this.value = b[at];
      return at + 1;
    }
    let value = 0;
    let scale = 1;
    for (; at < n; at++) {
      const byte = b[at];
      value += (byte & 0x7f) * scale;
      if (value > MAX_SAFE) throw new IpcError("VLQ value above 2^53 - 1", 24);
      if (byte < 128) {
        this.value = value;
        return at + 1;
      }
      scale *= 128;
    }
    return -1;
  }

  /** Reads a whole header from the start of `b`: the payload's offset, or -1 if `b` ends
   * inside it. Refuses a version other than 0 and a length over `maxPayload`. */
  parse(b: Uint8Array, maxPayload: number): number {
    let at = this.vlq(b, 0);
    if (at < 0) return -1;
    if (this.value !== 0) throw new IpcError(`unsupported version ${this.value}`, 28);
    this.version = 0;
    at = this.vlq(b, at);
    if (at < 0) return -1;
    this.code = this.value;
    at = this.vlq(b, at);
    if (at < 0) return -1;
    if (this.value > maxPayload) throw new IpcError(`payload of ${this.value} bytes over the limit`, 28);
    this.length = this.value;
    return at;
  }
}

/** Reads packets from a `Read` through a buffer: a header and a small payload in one `read`. */
class Buffered {
  readonly head = new Header();
  private pending: Uint8Array = EMPTY;

  constructor(private readonly source: Read, private readonly maxPayload: number) {}

  /** The next packet's payload (its header in `head`), or null at end of stream between packets. */
  packet(): Uint8Array | null {
    let buf = this.pending;
    for (;;) {
      const used = buf.length === 0 ? -1 : this.head.parse(buf, this.maxPayload);
      if (used >= 0) {
        const end = used + this.head.length;
        while (buf.length < end) {
          const more = this.source.read(Math.max(end - buf.length, READ_CHUNK));
          if (more.length === 0) throw new IpcError("end of stream inside a packet", 22);
          buf = concat(buf, more);
        }
        if (end === buf.length) {
          this.pending = EMPTY;
          return used === 0 ? buf : buf.subarray(used);
        }
        this.pending = buf.subarray(end);
        return buf.slice(used, end);
      }
      const more = this.source.read(READ_CHUNK);
      if (more.length === 0) {
        if (buf.length === 0) return null;
        throw new IpcError("end of stream inside a header", 22);
      }
      buf = concat(buf, more);
    }
  }
}

/** One VLQ read from `reader` a byte at a time (as the published package reads headers). */
export function readNextVlq(reader: Read): number {
  const bytes: number[] = [];
  for (;;) {
    const byte = reader.readExact(1)[0];
    bytes.push(byte);
    if (byte < 128) break;
  }
  const head = new Header();
  head.vlq(Uint8Array.from(bytes), 0);
  return head.value;
}

/** `RequestPacket.readFrom` / `ResponsePacket.readFrom`: one packet, its header byte by byte. */
function readPacket(reader: Read, maxPayload: number): [number, number, Uint8Array] {
  const version = readNextVlq(reader);
  const code = readNextVlq(reader);
  const length = readNextVlq(reader);
  if (length > maxPayload) throw new IpcError(`payload of ${length} bytes over the limit`, 28);
  return [version, code, reader.readExact(length)];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---- Spawning and serving (the fd convention of ckb-js-vm and ckb-script-ipc) ----

function spawnWith(spawn: (fds: number[]) => void): [Pipe, Pipe] {
  const [r1, w1] = bindings.pipe();
  const [r2, w2] = bindings.pipe();
  spawn([r2, w1]);
  return [new Pipe(r1), new Pipe(w2)];
}

export function spawnCellServer(codeHash: ArrayBuffer, hashType: number, argv: string[]): [Pipe, Pipe] {
  return spawnWith((inheritedFds) => bindings.spawnCell(codeHash, hashType, 0, 0, { argv, inheritedFds }));
}

export function spawnServer(index: number, source: number, argv: string[]): [Pipe, Pipe] {
  return spawnWith((inheritedFds) => bindings.spawn(index, source as any, 0, 0, { argv, inheritedFds }));
}

/** Serves `handler` on the inherited fds; returns when the client hangs up between packets. */
export function runServer(handler: RequestHandler): void {
  const fds = bindings.inheritedFds();
  if (fds.length !== 2) throw new IpcError("Expected exactly 2 inherited file descriptors", 6);
  new Channel(new Pipe(fds[0]), new Pipe(fds[1])).execute(handler);
}
