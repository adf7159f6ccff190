// A ckb-js-vm server of the Rust trait test_proto::typed::Bench, through the generated
// BenchHandler (tests/js/gen/bench.ts): `contracts/typed-js-client` spawns it with argv
// ["-t", <this script's data hash + hash type, hex>].
import * as bindings from "@ckb-js-std/bindings";
// ANCHOR: readme
import { runServer } from "@ckb-js-std/ipc";
import { Bench, BenchDescription, BenchHandler, Discoverable } from "../gen/bench";

const U64 = (1n << 64n) - 1n;

class Service implements Bench {
  add(a: bigint, b: bigint): bigint {
    return (a + b) & U64; // wrapping, as the Rust server's wrapping_add
  }
  echo(data: Uint8Array): Uint8Array {
    return data;
  }
}

// Discoverable: it also answers its description, so `ckb-ipc call` takes method names.
runServer(new Discoverable(BenchDescription, new BenchHandler(new Service()))); // returns at hang-up
// ANCHOR_END: readme
console.log("bench-server.js: the client hung up");
bindings.exit(0);
