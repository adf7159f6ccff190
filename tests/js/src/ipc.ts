// A small IPC module for ckb-js-vm scripts, with the API of ckb-js-vm's own IPC package
// (spawnCellServer, spawnServer, runServer, Channel, RequestPacket, ResponsePacket,
// RequestHandler), over the syscalls built into ckb-js-vm as "@ckb-js-std/bindings".
// The wire format is docs/wire-format.md. Unlike the upstream package it decodes VLQs exactly up
// to 2^53 - 1 (and refuses larger ones), treats both forms of end of stream as end of stream, and
// reads packets through a buffer instead of one syscall per VLQ byte.
import * as bindings from "@ckb-js-std/bindings";

const OTHER_END_CLOSED = 7;
const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1

export class IpcError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

// ---- VLQ (unsigned LEB128), with arithmetic instead of 32-bit bit operations ----

export function vlqEncode(value: number, out: number[]): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new IpcError(`bad VLQ value ${value}`, 24);
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

/** Decodes a VLQ at `at`: [value, bytes used], or null if `bytes` ends inside it. */
export function vlqDecode(bytes: Uint8Array, at: number): [number, number] | null {
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

export class RequestPacket {
  constructor(readonly payload: Uint8Array, readonly methodId = 0, readonly version = 0) {}
  serialize(): Uint8Array {
    return frame(this.version, this.methodId, this.payload);
  }
}

export class ResponsePacket {
  constructor(readonly errorCode: number, readonly payload: Uint8Array, readonly version = 0) {}
  serialize(): Uint8Array {
    return frame(this.version, this.errorCode, this.payload);
  }
}

function frame(version: number, code: number, payload: Uint8Array): Uint8Array {
  const head: number[] = [];
  vlqEncode(version, head);
  vlqEncode(code, head);
  vlqEncode(payload.length, head);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

export interface RequestHandler {
  serve(req: RequestPacket): ResponsePacket;
}

// ---- Pipes ----

export class Pipe {
  constructor(readonly fd: number) {}

  /** Some bytes, or an empty array at end of stream (either form the syscall reports). */
  read(length: number): Uint8Array {
    try {
      return new Uint8Array(bindings.read(this.fd, length));
    } catch (e: any) {
      if (e && e.errorCode === OTHER_END_CLOSED) return new Uint8Array(0);
      throw e;
    }
  }

  /** The whole array: `write` takes an ArrayBuffer and sends all of it, so pass an exact copy. */
  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return; // a zero-length write would read as end of stream
    const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    bindings.write(this.fd, exact.buffer as ArrayBuffer);
  }

  close(): void {
    bindings.close(this.fd);
  }
}

// ---- Channel ----

const READ_CHUNK = 4096;
export const MAX_PAYLOAD = 1 << 20;

export class Channel {
  private pending = new Uint8Array(0);

  constructor(private reader: Pipe, private writer: Pipe, private maxPayload = MAX_PAYLOAD) {}

  /** Sends `req` and reads the response; a response with an error code is returned, not thrown. */
  call(req: RequestPacket): ResponsePacket {
    this.writer.write(req.serialize());
    const packet = this.readPacket();
    if (packet === null) throw new IpcError("server closed the channel", 22);
    return new ResponsePacket(packet[1], packet[2], packet[0]);
  }

  /** Serves requests until the client closes the channel between packets. */
  execute(handler: RequestHandler): void {
    for (;;) {
      let packet: [number, number, Uint8Array] | null;
      try {
        packet = this.readPacket();
      } catch (e: any) {
        this.sendErrorCode(e instanceof IpcError ? e.code : 28);
        throw e;
      }
      if (packet === null) return;
      const resp = handler.serve(new RequestPacket(packet[2], packet[1], packet[0]));
      this.writer.write(resp.serialize());
    }
  }

  sendErrorCode(errorCode: number): void {
    try {
      this.writer.write(new ResponsePacket(errorCode, new Uint8Array(0)).serialize());
    } catch (_) {
      // the peer is gone: nothing to tell
    }
  }

  /** [version, code, payload], or null at a clean end of stream. */
  private readPacket(): [number, number, Uint8Array] | null {
    let buf = this.pending;
    for (;;) {
      const header = decodeHeader(buf, this.maxPayload);
      if (header !== null) {
        const [version, code, length, used] = header;
        const end = used + length;
        while (buf.length < end) {
          const more = this.reader.read(Math.max(end - buf.length, READ_CHUNK));
          if (more.length === 0) throw new IpcError("end of stream inside a packet", 22);
          buf = concat(buf, more);
        }
        this.pending = buf.slice(end);
        return [version, code, buf.slice(used, end)];
      }
      const more = this.reader.read(READ_CHUNK);
      if (more.length === 0) {
        if (buf.length === 0) return null;
        throw new IpcError("end of stream inside a header", 22);
      }
      buf = concat(buf, more);
    }
  }
}

/** [version, code, payload length, header bytes] or null if `buf` ends inside the header. */
function decodeHeader(buf: Uint8Array, maxPayload: number): [number, number, number, number] | null {
  const v = vlqDecode(buf, 0);
  if (v === null) return null;
  if (v[0] !== 0) throw new IpcError(`unsupported version ${v[0]}`, 28);
  const c = vlqDecode(buf, v[1]);
  if (c === null) return null;
  const l = vlqDecode(buf, v[1] + c[1]);
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

export function runServer(handler: RequestHandler): void {
  const fds = bindings.inheritedFds();
  if (fds.length < 2) throw new IpcError("expected two inherited fds", 6);
  new Channel(new Pipe(fds[0]), new Pipe(fds[1])).execute(handler);
}
