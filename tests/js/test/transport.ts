// The lean transport (gen/ckb-ipc-transport.ts) under Node.js, without pipes: VLQs at their boundaries, and
// packets framed and read back through reads of every size (a header split anywhere).
import { Channel, RequestPacket, ResponsePacket, decode, encode, encodedSize, Read, Write } from "../gen/ckb-ipc-transport";

function fail(why: string): never {
  throw new Error(why);
}

// VLQ: the bytes of unsigned LEB128, exact up to 2^53 - 1, and larger values refused.
const bounds = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 49, 2 ** 53 - 1];
for (const v of bounds) {
  const b = encode(v);
  if (b.length !== encodedSize(v)) fail(`size of ${v}`);
  let back = 0;
  for (let i = b.length - 1; i >= 0; i--) back = back * 128 + (b[i] & 127);
  if (back !== v || b[b.length - 1] >= 128 || b.slice(0, -1).some((x) => x < 128)) fail(`bytes of ${v}`);
  const d = decode(b);
  if (d.value !== v || d.bytesRead !== b.length) fail(`decode of ${v}`);
}
for (const bad of [-1, 0.5, 2 ** 53]) {
  let threw = false;
  try {
    encode(bad);
  } catch (_) {
    threw = true;
  }
  if (!threw) fail(`encoded ${bad}`);
}

/** Reads `data` in pieces of `size` bytes at most; then end of stream. */
class Chunks implements Read {
  private at = 0;
  constructor(private readonly data: Uint8Array, private readonly size: number) {}
  read(length: number): Uint8Array {
    const n = Math.min(length, this.size, this.data.length - this.at);
    const out = this.data.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  readExact(length: number): Uint8Array {
    const out = this.read(length);
    if (out.length !== length) fail("short");
    return out;
  }
}

class Sink implements Write {
  written: Uint8Array[] = [];
  write(b: Uint8Array): number {
    this.written.push(b.slice());
    return b.length;
  }
  flush(): void {}
}

// Responses with codes of each VLQ length (the framer keeps the last code's VLQ: alternate them).
const responses = [0, 2 ** 31, 0, 300, 2 ** 40, 300].map((code, i) => new ResponsePacket(code, new Uint8Array(i * 50).fill(i)));
const stream = Uint8Array.from(responses.flatMap((r) => [...r.serialize()]));
for (let size = 1; size <= stream.length; size++) {
  const sink = new Sink();
  const ch = new Channel(new Chunks(stream, size), sink);
  responses.forEach((want, i) => {
    const got = ch.call(new RequestPacket(new Uint8Array([i]), [1, 2 ** 31, 1][i % 3]));
    if (got.errorCode() !== want.errorCode() || got.payload().length !== want.payload().length) fail(`read ${i} in pieces of ${size}`);
    if (got.payload().some((x) => x !== i)) fail(`payload ${i} in pieces of ${size}`);
  });
  // What was sent: one write per request, decoding back to it.
  sink.written.forEach((w, i) => {
    const req = RequestPacket.readFrom(new Chunks(w, 1));
    if (req.methodId() !== [1, 2 ** 31, 1][i % 3] || req.payload()[0] !== i) fail(`request ${i}`);
  });
  let ended = false;
  try {
    ch.call(new RequestPacket(new Uint8Array(0), 1));
  } catch (_) {
    ended = true;
  }
  if (!ended) fail("a call after the end of stream answered");
}
console.log(`transport: ${bounds.length} VLQs, ${stream.length} ways to split ${responses.length} responses`);
