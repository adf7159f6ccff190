// A stand-in for ckb-js-vm's published IPC package, `@ckb-js-std/ipc` 1.0.0 (packages/ipc of
// nervosnetwork/ckb-js-vm at 3d966c3), which is not on the npm registry. Written for these tests,
// not copied: the same exports with the same shapes, and the same behaviour where it matters to a
// peer, including where that behaviour is poor, so no test passes only because our peer is kinder
// than the real one:
// - every VLQ byte of a header is read with its own `read` syscall (`readExact(1)`);
// - VLQs are 32-bit: encoding keeps the low 32 bits (`>>>`), decoding ORs 7-bit groups shifted in
//   32-bit arithmetic, so 2^31..2^32-1 come back negative and longer values as garbage;
// - `Channel.execute` loops forever: when the client hangs up, reading the next header throws
//   ("Unexpected end of stream", or the syscall's error 7), so `runServer` throws and ckb-js-vm
//   exits with -7 instead of 0;
// - `Pipe.write` sends the whole ArrayBuffer behind the view it is given;
// - `spawnCellServer` / `spawnServer` return the two pipes and no pid.
// docs/compatibility.md says what was checked against the real package and how.
import { inheritedFds, pipe, read, spawn, spawnCell, write } from "@ckb-js-std/bindings";

// ---- io ----

export interface Read {
  read(length: number): Uint8Array;
  readExact(length: number): Uint8Array;
}

export interface Write {
  write(buffer: Uint8Array): number;
  flush(): void;
}

// ---- vlq ----

const VLQ_MAX_BYTES = 8;

export function encode(value: number): Uint8Array {
  if (value < 0) throw new Error("VLQ does not support negative numbers");
  const out = new Uint8Array(VLQ_MAX_BYTES);
  let n = 0;
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out[n++] = byte;
  } while (value !== 0);
  return out.slice(0, n);
}

export function decode(buffer: ArrayBuffer | Uint8Array, offset = 0): { value: number; bytesRead: number } {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : buffer;
  let value = 0;
  let shift = 0;
  let bytesRead = 0;
  for (;;) {
    if (offset + bytesRead >= bytes.length) throw new Error("Incomplete VLQ value");
    const byte = bytes[offset + bytesRead];
    bytesRead += 1;
    value |= (byte & 0x7f) << shift;
    shift += 7;
    if (shift > VLQ_MAX_BYTES * 7) throw new Error("VLQ value exceeds maximum supported size");
    if ((byte & 0x80) === 0) return { value, bytesRead };
  }
}

export function encodedSize(value: number): number {
  return encode(value).length;
}

// ---- packets ----

/** One VLQ, read a byte (one `read` syscall) at a time. */
export function readNextVlq(reader: Read): number {
  const bytes: number[] = [];
  for (;;) {
    const byte = reader.readExact(1)[0];
    bytes.push(byte);
    if ((byte & 0x80) === 0) break;
  }
  return decode(new Uint8Array(bytes)).value;
}

export interface Packet {
  version(): number;
  payload(): Uint8Array;
  serialize(): Uint8Array;
}

/** The header's three VLQs and the payload, in one array (each part copied once). */
function frame(version: number, code: number, payload: Uint8Array): Uint8Array {
  const v = encode(version);
  const c = encode(code);
  const l = encode(payload.length);
  const out = new Uint8Array(v.length + c.length + l.length + payload.length);
  let at = 0;
  out.set(v, at);
  at += v.length;
  out.set(c, at);
  at += c.length;
  out.set(l, at);
  at += l.length;
  out.set(payload, at);
  return out;
}

export class RequestPacket implements Packet {
  private readonly version_: number;
  private readonly methodId_: number;
  private readonly payload_: Uint8Array;

  constructor(payload: Uint8Array, methodId: number = 0, version: number = 0) {
    this.payload_ = payload;
    this.methodId_ = methodId;
    this.version_ = version;
  }

  static readFrom(reader: Read): RequestPacket {
    const version = readNextVlq(reader);
    const methodId = readNextVlq(reader);
    const length = readNextVlq(reader);
    return new RequestPacket(reader.readExact(length), methodId, version);
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

  constructor(errorCode: number, payload: Uint8Array, version: number = 0) {
    this.errorCode_ = errorCode;
    this.payload_ = payload;
    this.version_ = version;
  }

  static readFrom(reader: Read): ResponsePacket {
    const version = readNextVlq(reader);
    const errorCode = readNextVlq(reader);
    const length = readNextVlq(reader);
    return new ResponsePacket(errorCode, reader.readExact(length), version);
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

// ---- pipes ----

export class Pipe implements Read, Write {
  constructor(private readonly id: number) {}

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

  /** One `read` syscall; throws the syscall's error (7 once the writer has closed). */
  read(length: number): Uint8Array {
    return new Uint8Array(read(this.id, length));
  }

  readExact(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.read(length - filled);
      if (chunk.length === 0) throw new Error("Unexpected end of stream");
      out.set(chunk, filled);
      filled += chunk.length;
    }
    return out;
  }

  /** Sends the whole ArrayBuffer behind `buffer`, as the published package does. */
  write(buffer: Uint8Array): number {
    write(this.id, buffer.buffer as ArrayBuffer);
    return buffer.length;
  }

  flush(): void {}
}

// ---- channel ----

export interface RequestHandler {
  serve(req: RequestPacket): ResponsePacket;
}

export class Channel {
  constructor(private readonly reader: Read, private readonly writer: Write) {}

  /** Serves until reading a request throws: there is no clean end. */
  execute(handler: RequestHandler): void {
    for (;;) {
      const req = RequestPacket.readFrom(this.reader);
      this.send(handler.serve(req).serialize());
    }
  }

  call(req: RequestPacket): ResponsePacket {
    this.send(req.serialize());
    return ResponsePacket.readFrom(this.reader);
  }

  sendErrorCode(errorCode: number): void {
    console.log("Sending error code:", errorCode);
    this.send(new ResponsePacket(errorCode, new Uint8Array(0)).serialize());
  }

  private send(bytes: Uint8Array): void {
    this.writer.write(bytes);
    this.writer.flush();
  }
}

// ---- spawn ----

function spawnWith(start: (fds: number[]) => void): [Pipe, Pipe] {
  const [r1, w1] = pipe();
  const [r2, w2] = pipe();
  start([r2, w1]);
  return [new Pipe(r1), new Pipe(w2)];
}

export function spawnCellServer(codeHash: ArrayBuffer, hashType: number, argv: string[]): [Pipe, Pipe] {
  return spawnWith((inheritedFds) => spawnCell(codeHash, hashType, 0, 0, { argv, inheritedFds }));
}

export function spawnServer(index: number, source: number, argv: string[]): [Pipe, Pipe] {
  return spawnWith((inheritedFds) => spawn(index, source as any, 0, 0, { argv, inheritedFds }));
}

export function runServer(handler: RequestHandler): void {
  const fds = inheritedFds();
  if (fds.length !== 2) throw new Error("Expected exactly 2 inherited file descriptors");
  new Channel(new Pipe(fds[0]), new Pipe(fds[1])).execute(handler);
}
