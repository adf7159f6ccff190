// `make bench`'s JavaScript rows: a ckb-js-vm root script making N calls to a Rust server, each
// answer checked. Args after ckb-js-vm's 35 bytes: mode (0: the generated BenchClient against
// typed-server, 1: raw RequestPackets against owned-server, 2: the generated BenchClient's
// batches of BATCH adds, the last one shorter, against typed-server), op (0: add, 1: echo), calls (u32
// LE), echo size (u32 LE), the server's data hash (32). Bundled against gen/ckb-ipc-transport.ts and (in
// dist/published/) against the stand-in of the published package, src/published-ipc.ts.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, RequestPacket, spawnCellServer } from "@ckb-js-std/ipc";
import { BenchClient } from "../gen/bench";
import { HASH_TYPE_DATA2, appArgs } from "./util";

const ECHO = 1, ADD = 2; // owned-server's methods
const BATCH = 16; // calls per batch of mode 2 (tests/src/js.rs: JS_BATCH)

function main(): number {
  const args = appArgs();
  const view = new DataView(args.buffer, args.byteOffset);
  const [mode, op, calls, size] = [args[0], args[1], view.getUint32(2, true), view.getUint32(6, true)];
  const [read, write] = spawnCellServer(args.slice(10, 42).buffer, HASH_TYPE_DATA2, []);
  const channel = new Channel(read, write);
  const data = new Uint8Array(size).fill(0x5a);
  if (mode === 2) {
    const bench = new BenchClient(channel);
    for (let i = 0; i < calls; i += BATCH) {
      const sums = bench.batch((b) => Array.from({ length: Math.min(BATCH, calls - i) }, (_, j) => b.add(BigInt(i + j), 1n)));
      if (!sums.every((s, j) => s.ok && s.value === BigInt(i + j + 1))) return 5;
    }
    return 0;
  }
  if (mode === 0) {
    const bench = new BenchClient(channel);
    for (let i = 0; i < calls; i++) {
      if (op === 0 && bench.add(BigInt(i), 1n) !== BigInt(i + 1)) return 1;
      if (op === 1 && bench.echo(data).length !== size) return 2;
    }
    return 0;
  }
  for (let i = 0; i < calls; i++) {
    if (op === 0) {
      const payload = new Uint8Array(16);
      const p = new DataView(payload.buffer);
      p.setBigUint64(0, BigInt(i), true);
      p.setBigUint64(8, 1n, true);
      const resp = channel.call(new RequestPacket(payload, ADD));
      const sum = resp.payload();
      if (resp.errorCode() !== 0 || new DataView(sum.buffer, sum.byteOffset).getBigUint64(0, true) !== BigInt(i + 1)) return 3;
    } else {
      const resp = channel.call(new RequestPacket(data, ECHO));
      if (resp.errorCode() !== 0 || resp.payload().length !== size) return 4;
    }
  }
  return 0;
}

bindings.exit(main());
