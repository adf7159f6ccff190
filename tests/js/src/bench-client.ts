// A ckb-js-vm root script calling the Rust `typed-server` through the generated BenchClient
// (tests/js/gen/bench.ts), then the generated client's error paths against answers of the Rust
// `owned-server` (an error code of 2^31 and more, bytes that are no Uint64). Its args: the data
// hashes of typed-server and owned-server. Exits with the number of the first failed check.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, RequestPacket, ResponsePacket, spawnCellServer } from "@ckb-js-std/ipc";
import { BenchClient, CallError, DecodeError } from "../gen/bench";
import { HASH_TYPE_DATA2, appArgs, equal, recording, thrown } from "./util";

const ECHO = 1, FAIL = 3; // owned-server's raw methods

function u64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

function main(): number {
  const args = appArgs();
  const [r, w] = spawnCellServer(args.slice(0, 32).buffer, HASH_TYPE_DATA2, []);
  const bench = new BenchClient(recording(new Channel(r, w)));
  const sum = bench.add(40n, 2n);
  console.log(`add(40, 2) = ${sum}`);
  if (sum !== 42n) return 1;
  if (bench.add(0xffffffffffffffffn, 2n) !== 1n) return 2;
  const data = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
  if (!equal(bench.echo(data), data)) return 3;
  if (bench.echo(new Uint8Array(0)).length !== 0) return 4;
  // Out of a Uint64's range: refused before anything is sent.
  if (!(thrown(RangeError, () => bench.add(-1n, 0n)) instanceof RangeError)) return 5;
  if (!(thrown(RangeError, () => bench.add(1n << 64n, 0n)) instanceof RangeError)) return 5;

  // Answers of owned-server given to the generated client for its add.
  const [r2, w2] = spawnCellServer(args.slice(32, 64).buffer, HASH_TYPE_DATA2, []);
  const owned = new Channel(r2, w2);
  const answering = (req: RequestPacket) => new BenchClient({ call: () => owned.call(req) });
  for (const code of [0x80000000n, 0xffffffffn]) {
    const e = thrown(CallError, () => answering(new RequestPacket(u64(code), FAIL)).add(1n, 1n));
    console.log(`error code ${code}: ${e?.code}`);
    if (e?.code !== Number(code)) return 6;
  }
  const three = new RequestPacket(new Uint8Array([1, 2, 3]), ECHO);
  const bad = thrown(DecodeError, () => answering(three).add(1n, 1n));
  console.log(`3 bytes for a Uint64: ${bad?.message}`);
  if (bad?.type !== "Uint64") return 7;
  console.log("bench-client.js: every check passed");
  return 0;
}

bindings.exit(main());
