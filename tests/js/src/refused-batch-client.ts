// A ckb-js-vm root script sending a typed batch (`BenchClient.batch`, tests/js/gen) to a Rust
// server that does not know batches (ckb-script-ipc's `their-server` or `their-macro-server`),
// then a single add on the same channel. Prints `batch: <outcome>; then add = <outcome>` for
// the Rust test to compare with what the Rust clients see (tests/src/batch.rs), and every
// packet (util.recording). Its args: the server's data hash. Exits 1 unless the batch was
// refused with `BatchRefused`.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, spawnCellServer } from "@ckb-js-std/ipc";
import { BatchRefused, BenchClient } from "../gen/bench";
import { HASH_TYPE_DATA2, appArgs, ascii, recording } from "./util";

/** What `f` returned, or what it threw: its message, and the syscall's error code if any. */
function outcome(f: () => unknown): string {
  try {
    return `${f()}`;
  } catch (e: any) {
    if (e instanceof BatchRefused) return `BatchRefused(${e.code})`;
    const code = e && e.errorCode !== undefined ? ` (errorCode ${e.errorCode})` : "";
    return `error ${e && e.message}${code}`;
  }
}

function main(): number {
  const [r, w] = spawnCellServer(appArgs().slice(0, 32).buffer, HASH_TYPE_DATA2, []);
  const bench = new BenchClient(recording(new Channel(r, w)));
  let refused = false;
  const batch = outcome(() => {
    try {
      return bench.batch((b) => [b.add(40n, 2n), b.echo(ascii("ping"))] as const).length;
    } catch (e) {
      refused = e instanceof BatchRefused;
      throw e;
    }
  });
  const then = outcome(() => bench.add(1n, 2n));
  console.log(`batch: ${batch}; then add = ${then}`);
  return refused ? 0 : 1;
}

bindings.exit(main());
