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
  const out: number[] = [];
  vlqPush(value, out);
  return new Uint8Array(out);
}

/** Decodes the VLQ at `offset`; throws when `buffer` ends inside it or it passes 2^53 - 1. */
export function decode(buffer: ArrayBuffer | Uint8Array, offset = 0): { value: number; bytesRead: number } {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const found = vlqAt(bytes, offset);
  if (found === null) throw new IpcError("Incomplete VLQ value", 23);
  return { value: found[0], bytesRead: found[1] };
}

/** The number of bytes `value`'s VLQ takes. */
export function encodedSize(value: number): number {
  return encode(value).length;
}

function vlqPush(value: number, out: number[]): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new IpcError(`bad VLQ value ${value}`, 24);
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

/** [value, bytes used] of the VLQ at `at`, or null if `bytes` ends inside it. */
function vlqAt(bytes: Uint8Array, at: number): [number, number] | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; at + i < bytes.length; i++) {
    const byte = bytes[at + i];
    value += (byte & 0x7f) * scale;
    if (value > MAX_SAFE) throw new IpcError("VLQ value above 2^53 - 1", 24);
    if ((byte & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  return null;
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

function frame(version: number, code: number, payload: Uint8Array): Uint8Array {
  const head: number[] = [];
  vlqPush(version, head);
  vlqPush(code, head);
  vlqPush(payload.length, head);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
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

export interface RequestHandler {
  serve(req: RequestPacket): ResponsePacket;
}

/** A packet as read: [version, code, payload]. */
type Raw = [number, number, Uint8Array];

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
    const packet = this.reader.packet();
    if (packet === null) throw new IpcError("server closed the channel", 22);
    return new ResponsePacket(packet[1], packet[2], packet[0]);
  }

  /** Serves requests; returns when the client closes the channel between packets. */
  execute(handler: RequestHandler): void {
    for (;;) {
      let packet: Raw | null;
      try {
        packet = this.reader.packet();
      } catch (e: any) {
        this.sendErrorCode(e instanceof IpcError ? e.code : 28);
        throw e;
      }
      if (packet === null) return;
      const resp = handler.serve(new RequestPacket(packet[2], packet[1], packet[0]));
      this.writer.write(resp.serialize());
      this.writer.flush();
    }
  }

  sendErrorCode(errorCode: number): void {
    try {
      this.writer.write(new ResponsePacket(errorCode, new Uint8Array(0)).serialize());
    } catch (_) {
      // the peer is gone: nothing to tell
    }
  }
}

/** Reads packets from a `Read` through a buffer: a header and a small payload in one `read`. */
class Buffered {
  private pending: Uint8Array = new Uint8Array(0);

  constructor(private readonly source: Read, private readonly maxPayload: number) {}

  /** The next packet, or null at end of stream between packets. */
  packet(): Raw | null {
    let buf: Uint8Array = this.pending;
    for (;;) {
      const header = decodeHeader(buf, this.maxPayload);
      if (header !== null) {
        const [version, code, length, used] = header;
        const end = used + length;
        while (buf.length < end) {
          const more = this.source.read(Math.max(end - buf.length, READ_CHUNK));
          if (more.length === 0) throw new IpcError("end of stream inside a packet", 22);
          buf = concat(buf, more);
        }
        this.pending = buf.subarray(end);
        return [version, code, buf.slice(used, end)];
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

/** `RequestPacket.readFrom` / `ResponsePacket.readFrom`: one packet, byte by byte as needed. */
function readPacket(reader: Read, maxPayload: number): Raw {
  const head: number[] = [];
  const next = (): number => {
    const start = head.length;
    for (;;) {
      const byte = reader.readExact(1)[0];
      head.push(byte);
      if ((byte & 0x80) === 0) break;
    }
    const found = vlqAt(Uint8Array.from(head), start);
    if (found === null) throw new IpcError("Incomplete VLQ value", 23);
    return found[0];
  };
  const version = next();
  const code = next();
  const length = next();
  if (length > maxPayload) throw new IpcError(`payload of ${length} bytes over the limit`, 28);
  return [version, code, reader.readExact(length)];
}

/** [version, code, payload length, header bytes] or null if `buf` ends inside the header. */
function decodeHeader(buf: Uint8Array, maxPayload: number): [number, number, number, number] | null {
  const v = vlqAt(buf, 0);
  if (v === null) return null;
  if (v[0] !== 0) throw new IpcError(`unsupported version ${v[0]}`, 28);
  const c = vlqAt(buf, v[1]);
  if (c === null) return null;
  const l = vlqAt(buf, v[1] + c[1]);
  if (l === null) return null;
  if (l[0] > maxPayload) throw new IpcError(`payload of ${l[0]} bytes over the limit`, 28);
  return [v[0], c[0], l[0], v[1] + c[1] + l[1]];
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
