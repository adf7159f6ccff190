// A ckb-js-vm root script calling the Rust `every-server` (test_proto::every::Every: every kind
// of type a description has) through the generated EveryClient (tests/js/gen/every.ts). Its
// args: every-server's data hash. Prints every packet (util.recording) and exits with the
// number of the first failed check, else 0.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, spawnCellServer } from "@ckb-js-std/ipc";
import { EveryClient, Fixed, Record, ServiceError, Shape } from "../gen/every";
import { HASH_TYPE_DATA2, appArgs, ascii, equal, recording, thrown } from "./util";

/** Values of the generated types compared the way they are built: bigints, bytes, arrays, objects. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equal(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as any)[k], (b as any)[k]));
  }
  return a === b;
}

function main(): number {
  const [read, write] = spawnCellServer(appArgs().slice(0, 32).buffer, HASH_TYPE_DATA2, []);
  const every = new EveryClient(recording(new Channel(read, write)));

  // A Rust i8 is a molecule byte: -3 travels as 253.
  if (!same(every.small(200, 253, 65535, -2147483648), [65735, 2147483645])) return 1;
  const wide = every.wide(0xffffffffffffffffn, -(1n << 63n), (1n << 128n) - 1n, (1n << 127n) - 1n);
  console.log(`wide = ${wide.join(", ")}`);
  if (!same(wide, [0n, (1n << 127n) - 1n - (1n << 63n), (1n << 128n) - 1n])) return 2;
  if (every.not(true) !== false || every.not(false) !== true) return 3;
  const text = every.reverse("héllo, 世界 😀");
  console.log(`reverse = ${text}`);
  if (text !== "😀 界世 ,olléh") return 4;
  const fixed: Fixed = { a: 255, b: -2, c: 0xffffffff, d: new Uint8Array([1, 2, 3, 4]), flag: false };
  if (!same(every.fixed(fixed), { ...fixed, c: 0, flag: true })) return 5;
  const record: Record = {
    name: "rec",
    tags: ["a", "", "ünï"],
    small: [0, 1, 65535],
    hash: new Uint8Array(32).map((_, i) => i),
    maybe: 41n,
    nested: [fixed, { ...fixed, a: 0 }],
    pair: [7, ascii("pair")],
  };
  if (!same(every.record(record), { ...record, tags: ["ünï", "", "a"], maybe: 42n })) return 6;
  if (!same(every.record({ ...record, maybe: null, tags: [], nested: [] }), { ...record, maybe: null, tags: [], nested: [] })) return 7;
  const shapes: Shape[] = [
    "Empty",
    { Point: [1, 2] },
    { Circle: { radius: 5n, filled: true } },
    { Path: { points: [1, 2, 3], label: null } },
    { Path: { points: [], label: ascii("p") } },
    { Square: 9 },
    { Line: ascii("line") },
  ];
  if (!same(every.shapes(shapes), [...shapes].reverse())) return 8;
  if (!same(every.bytes_of(fixed), fixed.d) || every.bytes_of(null) !== null) return 9;
  if (every.halve(10) !== 5) return 10;
  if (!same(thrown(ServiceError<Shape>, () => every.halve(9))?.error, { Square: 9 })) return 11;
  if (thrown(ServiceError<Shape>, () => every.halve(7))?.error !== "Empty") return 12;
  if (every.nothing() !== undefined) return 13;
  console.log("every-client.js: every check passed");
  return 0;
}

bindings.exit(main());
