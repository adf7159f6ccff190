// A ckb-js-vm root script making typed batches (`<Service>Client.batch`, tests/js/gen) to the
// Rust typed servers: `typed-server` (Bench; every packet printed by util.recording, so the
// Rust test compares the bytes with what the Rust `BenchClient::batch` sends for the same
// calls) and `kv-server` (KeyValue: an item's `Err` stops none of the others). Its args: the
// data hashes of typed-server and kv-server. Exits with the number of the first failed check.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, spawnCellServer } from "@ckb-js-std/ipc";
import { BenchClient } from "../gen/bench";
import type { Settled } from "../gen/bench";
import { KeyValueClient, ServiceError } from "../gen/key-value";
import { HASH_TYPE_DATA2, appArgs, ascii, equal, recording } from "./util";

const KEY_TOO_LONG = 1;

function show(r: Settled<unknown, unknown>): string {
  if (!r.ok) return `error ${r.error.message}`;
  return r.value instanceof Uint8Array ? `${r.value.length} bytes` : `${r.value}`;
}

function main(): number {
  const args = appArgs();
  const [r, w] = spawnCellServer(args.slice(0, 32).buffer, HASH_TYPE_DATA2, []);
  const bench = new BenchClient(recording(new Channel(r, w)));
  const [sum, echo, wrapped] = bench.batch((b) => [b.add(40n, 2n), b.echo(ascii("ping")), b.add(0xffffffffffffffffn, 1n)] as const);
  console.log(`batch: ${show(sum)}, ${show(echo)}, ${show(wrapped)}`);
  if (!sum.ok || sum.value !== 42n) return 1;
  if (!echo.ok || !equal(echo.value, ascii("ping"))) return 2;
  if (!wrapped.ok || wrapped.value !== 0n) return 3;
  // The channel goes on after a batch.
  if (bench.add(1n, 2n) !== 3n) return 4;
  const sums = bench.batch((b) => Array.from({ length: 16 }, (_, i) => b.add(BigInt(i), 1n)));
  if (sums.length !== 16 || !sums.every((s, i) => s.ok && s.value === BigInt(i) + 1n)) return 5;

  // kv-server: the items in order, an Err among them.
  const [r2, w2] = spawnCellServer(args.slice(32, 64).buffer, HASH_TYPE_DATA2, []);
  const kv = new KeyValueClient(new Channel(r2, w2));
  const out = kv.batch((b) => [
    b.put(ascii("a"), ascii("1")),
    b.put(new Uint8Array(65).fill(0x6b), new Uint8Array(0)),
    b.put(ascii("a"), ascii("2")),
    b.get(ascii("a")),
    b.count(),
  ] as const);
  console.log(`kv batch: ${out.map(show).join(", ")}`);
  const [first, tooLong, second, got, count] = out;
  if (!first.ok || first.value !== null) return 10;
  if (tooLong.ok || !(tooLong.error instanceof ServiceError) || tooLong.error.error !== KEY_TOO_LONG) return 11;
  if (!second.ok || !equal(second.value, ascii("1"))) return 12;
  if (!got.ok || !equal(got.value, ascii("2"))) return 13;
  if (!count.ok || count.value !== 1n) return 14;
  if (kv.count() !== 1n) return 15;
  console.log("batch-client.js: every check passed");
  return 0;
}

bindings.exit(main());
