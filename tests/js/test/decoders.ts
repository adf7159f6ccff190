// The generated decoders under Node.js (`npm test`, run by `make js`): on bytes that are no
// value of their type they throw DecodeError and nothing else; every encoding the encoders
// write decodes back to the value, and every cut or changed byte of it either decodes or
// throws DecodeError. Deterministic: a fixed-seed generator.
import * as every from "../gen/every";
import * as kv from "../gen/key-value";
import * as bench from "../gen/bench";
import * as arrays from "../gen/arrays";

let seed = 0x2545f491;
function random(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

function bytes(length: number): Uint8Array {
  return new Uint8Array(length).map(() => random(256));
}

type Module = Record<string, unknown> & { DecodeError: new (...a: any[]) => Error };
let checked = 0;

/** `decode(b)` either returns or throws the module's DecodeError. */
function survives(m: Module, name: string, b: Uint8Array): void {
  const decode = m[name] as (b: Uint8Array) => unknown;
  try {
    decode(b);
  } catch (e) {
    if (!(e instanceof m.DecodeError)) {
      throw new Error(`${name}(${Buffer.from(b).toString("hex")}) threw ${String(e)}`);
    }
  }
  checked++;
}

/** Little-endian u32 bytes, to make random bytes look like molecule headers. */
function u32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
}

for (const m of [every, kv, bench, arrays] as unknown as Module[]) {
  for (const name of Object.keys(m).filter((k) => k.startsWith("decode"))) {
    for (let i = 0; i < 300; i++) survives(m, name, bytes(random(48)));
    // Headers that claim sizes and offsets near the real ones.
    for (let i = 0; i < 300; i++) {
      const body = bytes(random(40));
      const total = 8 + body.length;
      const head = [...u32(random(3) === 0 ? random(1 << 16) : total), ...u32(4 * (1 + random(4)))];
      survives(m, name, new Uint8Array([...head, ...body]));
    }
  }
}

/** Encodes `value`, checks it decodes back, then cuts and changes its bytes. */
function roundTrip(m: Module, type: string, value: unknown): void {
  const encode = m[`encode${type}`] as (v: unknown) => Uint8Array;
  const decode = m[`decode${type}`] as (b: Uint8Array) => unknown;
  const b = encode(value);
  const again = encode(decode(b));
  if (Buffer.compare(Buffer.from(b), Buffer.from(again)) !== 0) throw new Error(`${type} does not round-trip`);
  for (let cut = 0; cut < b.length; cut++) survives(m, `decode${type}`, b.subarray(0, cut));
  for (let at = 0; at < b.length; at++) {
    for (const bit of [1, 0x80]) {
      const c = b.slice();
      c[at] ^= bit;
      survives(m, `decode${type}`, c);
    }
  }
}

const fixed = { a: 1, b: -2, c: 3, d: new Uint8Array([1, 2, 3, 4]), flag: true };
const e = every as unknown as Module;
roundTrip(e, "Record", {
  name: "ü",
  tags: ["x", ""],
  small: [1, 2],
  hash: new Uint8Array(32),
  maybe: 5n,
  nested: [fixed],
  pair: [1, new Uint8Array([9])],
});
roundTrip(e, "ShapeVec", ["Empty", { Point: [1, 2] }, { Path: { points: [3], label: new Uint8Array([1]) } }, { Line: new Uint8Array(3) }]);
roundTrip(e, "String", "héllo 😀");
roundTrip(e, "TupleUint64Int128Uint128", [1n, -1n, 2n]);
roundTrip(kv as unknown as Module, "EntryVec", [{ key: new Uint8Array([1]), value: new Uint8Array(0) }]);
roundTrip(kv as unknown as Module, "Change", { Put: { key: new Uint8Array([1]), value: new Uint8Array([2]) } });

// Arrays of fixed-size items, in place (a hand-written description: tests/js/gen/arrays.json).
const grid = {
  triple: [1, 2, 65535],
  segment: [{ x: 0xabcdef, y: 7, on: true }, { x: 0, y: 255, on: false }],
  points: [{ x: 1, y: 2, on: false }],
  far: -(2n ** 47n),
};
roundTrip(arrays as unknown as Module, "Grid", grid);
const tripleBytes = Buffer.from(arrays.encodeTriple([1, 2, 65535])).toString("hex");
if (tripleBytes !== "01000200ffff") throw new Error(`Triple: ${tripleBytes}`);
const segmentBytes = Buffer.from(arrays.encodeSegment(grid.segment)).toString("hex");
if (segmentBytes !== "efcdab0701" + "000000ff00") throw new Error(`Segment: ${segmentBytes}`);
if (arrays.decodeGrid(arrays.encodeGrid(grid)).far !== -(2n ** 47n)) throw new Error("Int48");

// Invalid UTF-8 is a DecodeError, as Rust's str::from_utf8 refuses it.
for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
  const b = new Uint8Array([...u32(bad.length), ...bad]);
  try {
    every.decodeString(b);
    throw new Error(`decodeString took ${Buffer.from(b).toString("hex")}`);
  } catch (err) {
    if (!(err instanceof every.DecodeError)) throw err;
  }
}
console.log(`decoders: ${checked} inputs, only DecodeError thrown`);
